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

/**
 * Spends a shared limit (a counter in MongoDB, one per key) in batches: a gateway takes up to
 * `leaseSize` points from the counter in one round trip and hands them out locally, so a busy
 * client's request rate and quota cost a database call every `leaseSize` requests instead of every
 * request. The counter stays the single source of truth across replicas: a lease only keeps points
 * the counter had (the rest is given back at once), so the limit is never exceeded; near the limit a
 * request may be refused while another replica still holds unspent points.
 */
export class LeasedLimiter {
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly limiter: SharedCounter,
    private readonly leaseSize: number,
  ) {}

  /**
   * Takes one point; rejects with LimitReached when the limit is reached for this window, and with
   * the store's error when the refill this request needed (its own or one it waited for) failed: an
   * outage costs each request one failed round trip, never a queue behind refill after refill.
   */
  async take(key: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      let lease = this.leases.get(key);
      if (lease && !lease.refill && lease.expiresAt <= now) {
        this.leases.delete(key);
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
      await this.startRefill(key);
    }
  }

  /** Gives a point back (a request that failed before anything was sent). */
  give(key: string): void {
    const lease = this.leases.get(key);
    if (lease && lease.expiresAt > Date.now()) {
      lease.tokens += 1;
      lease.exhausted = false;
    }
  }

  private startRefill(key: string): Promise<void> {
    if (this.leases.size > PRUNE_THRESHOLD) this.prune();
    const lease: Lease = { tokens: 0, expiresAt: 0, exhausted: false };
    lease.refill = this.refill(lease, key).finally(() => {
      lease.refill = undefined;
    });
    this.leases.set(key, lease);
    return lease.refill;
  }

  private async refill(lease: Lease, key: string): Promise<void> {
    try {
      const result = await this.limiter.consume(key, this.leaseSize);
      lease.tokens = this.leaseSize;
      lease.expiresAt = Date.now() + result.msBeforeNext;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      // Our batch took the counter over the limit: keep what was still there, give back the rest.
      const available = Math.max(0, this.limiter.points - (rejection.consumedPoints - this.leaseSize));
      const excess = this.leaseSize - available;
      if (excess > 0) await this.limiter.reward(key, excess);
      lease.tokens = available;
      lease.exhausted = available === 0;
      lease.expiresAt = Date.now() + rejection.msBeforeNext;
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [key, lease] of this.leases)
      if (!lease.refill && lease.expiresAt <= now) this.leases.delete(key);
  }
}
