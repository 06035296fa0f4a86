import { RateLimiterRes } from 'rate-limiter-flexible';

/**
 * The shared counter (MongoWindowCounter in production): `consume` rejects with a RateLimiterRes,
 * whose `consumedPoints` is the window's total, when the points take it past `points`.
 */
export interface SharedCounter {
  readonly points: number;
  consume(key: string, points: number): Promise<Pick<RateLimiterRes, 'msBeforeNext'>>;
  reward(key: string, points: number): Promise<unknown>;
}

interface Lease {
  tokens: number;
  /** Points the lease took from the counter, and when: the key's observed rate for the next one. */
  size: number;
  takenAt: number;
  /** When the window the tokens were taken from ends. */
  expiresAt: number;
  /** The counter had nothing left for this window: refuse locally until it ends. */
  exhausted: boolean;
  refill?: Promise<void>;
}

/** The limit is reached for this window. */
export class LimitReached extends Error {
  override readonly name = 'LimitReached';

  constructor(readonly msBeforeNext: number) {
    super('limit reached for this window');
  }
}

/** Past this many keys, leases whose window has ended are dropped. */
const PRUNE_THRESHOLD = 10_000;

/** How big a lease may be: from `min` points, growing with a key's rate up to `max`. */
export interface LeaseSizes {
  min: number;
  max: number;
  /** A lease grows to what the key spends in this long at its observed rate (at most its window). */
  horizonMs: number;
}

/** The lease after `previous`: the points its key spent per ms, over the horizon, within the bounds. */
function nextLeaseSize(sizes: LeaseSizes, previous: Lease | undefined, now: number): number {
  if (!previous || previous.takenAt >= now) return sizes.min;
  const spent = previous.size - previous.tokens;
  const wanted = Math.ceil((spent / (now - previous.takenAt)) * sizes.horizonMs);
  return Math.min(sizes.max, Math.max(sizes.min, wanted));
}

/**
 * Spends a shared limit (a counter in MongoDB, one per key) in batches: a gateway takes a lease of
 * points from the counter in one round trip and hands them out locally, so a busy client's request
 * rate and quota cost a database call every lease instead of every request. A lease is `sizes.min`
 * points, or what the key spends over `sizes.horizonMs` at the rate its last lease went (at most
 * `sizes.max`): a client at 3 requests a second refills a day's quota every 10 s rather than every
 * 3 requests, and a replica holds no more than that horizon's worth of a client's points. The counter stays the
 * single source of truth across replicas: a lease only keeps points the counter had (the rest is given
 * back at once), so the limit is never exceeded; near the limit a request may be refused while another
 * replica still holds unspent points.
 */
export class LeasedLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly sizes: LeaseSizes;

  constructor(
    private readonly limiter: SharedCounter,
    sizes: number | LeaseSizes,
    private readonly clock: () => number = Date.now,
  ) {
    this.sizes = typeof sizes === 'number' ? { min: sizes, max: sizes, horizonMs: 0 } : sizes;
  }

  /**
   * Takes one point; rejects with LimitReached when the limit is reached for this window, and with
   * the store's error when the refill this request needed (its own or one it waited for) failed: an
   * outage costs each request one failed round trip, never a queue behind refill after refill.
   */
  async take(key: string): Promise<void> {
    let previous: Lease | undefined;
    for (;;) {
      const now = this.clock();
      let lease = this.leases.get(key);
      if (lease && !lease.refill && lease.expiresAt <= now) {
        this.leases.delete(key);
        previous = lease;
        lease = undefined;
      }
      if (lease?.refill) {
        // Another request is refilling this key: share its outcome rather than reserve twice.
        await lease.refill;
        continue;
      }
      if (lease && lease.tokens > 0) {
        lease.tokens -= 1;
        return;
      }
      if (lease?.exhausted) throw new LimitReached(lease.expiresAt - now);
      await this.startRefill(key, nextLeaseSize(this.sizes, lease ?? previous, now), now);
    }
  }

  /** Gives a point back (a request that failed before anything was sent). */
  give(key: string): void {
    const lease = this.leases.get(key);
    if (lease && lease.expiresAt > this.clock()) {
      lease.tokens += 1;
      lease.exhausted = false;
    }
  }

  private startRefill(key: string, size: number, now: number): Promise<void> {
    if (this.leases.size > PRUNE_THRESHOLD) this.prune();
    const lease: Lease = { tokens: 0, size, takenAt: now, expiresAt: 0, exhausted: false };
    lease.refill = this.refill(lease, key).finally(() => {
      lease.refill = undefined;
    });
    this.leases.set(key, lease);
    return lease.refill;
  }

  private async refill(lease: Lease, key: string): Promise<void> {
    const { size } = lease;
    try {
      const result = await this.limiter.consume(key, size);
      lease.tokens = size;
      lease.expiresAt = this.clock() + result.msBeforeNext;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      // Our batch took the counter over the limit: keep what was still there, give back the rest.
      const available = Math.max(0, this.limiter.points - (rejection.consumedPoints - size));
      const excess = size - available;
      if (excess > 0) await this.limiter.reward(key, excess);
      lease.size = available;
      lease.tokens = available;
      lease.exhausted = available === 0;
      lease.expiresAt = this.clock() + rejection.msBeforeNext;
    }
  }

  private prune(): void {
    const now = this.clock();
    for (const [key, lease] of this.leases)
      if (!lease.refill && lease.expiresAt <= now) this.leases.delete(key);
  }
}
