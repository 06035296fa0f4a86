/** Sends and verified codes counted for one key. */
export interface Tally {
  sent: number;
  verified: number;
}

/** One bucket of one key: what the store holds per document. */
export interface BucketTally extends Tally {
  key: string;
  /** The bucket's start, in ms since the epoch (a multiple of the bucket length). */
  bucket: number;
}

/**
 * A key's counts over the window. Verifications are counted in the bucket their code was sent in, so
 * `matureSent` and `matureVerified` are the sends of the buckets that had time to be verified (ended
 * at least the grace ago) and how many of those very sends were verified, however late.
 */
export interface Count extends Tally {
  matureSent: number;
  matureVerified: number;
}

const emptyCount = (): Count => ({ sent: 0, verified: 0, matureSent: 0, matureVerified: 0 });

/**
 * Counts over a sliding window made of fixed buckets (a window of 12 buckets slides by a twelfth),
 * from two sources: the shared totals last read from the store (every replica's counts, ours that were
 * flushed included) and what this replica counted since (pending and in flight). Pure bookkeeping: the
 * store round trips are the caller's, batched on a timer, so a send costs no command of its own.
 */
export class SlidingCounts {
  private shared = new Map<string, Map<number, Tally>>();
  private pending = new Map<string, BucketTally>();
  private inFlight = new Map<string, BucketTally>();
  /** Keys looked at, and when last: their shared figures are read at every sync, counted here or not. */
  private readonly watched = new Map<string, number>();
  private readonly bucketMs: number;

  /**
   * @param graceMs how long after its bucket ends a send still counts as too young to judge: a code
   * sent a second ago is not a code nobody entered (0: every bucket before the current one is mature).
   */
  constructor(
    readonly windowMs: number,
    readonly buckets: number,
    private readonly graceMs = 0,
  ) {
    this.bucketMs = Math.max(1, Math.floor(windowMs / buckets));
  }

  bucketOf(now: number): number {
    return now - (now % this.bucketMs);
  }

  /** The first bucket still inside the window that ends now. */
  windowStart(now: number): number {
    return this.bucketOf(now) - (this.buckets - 1) * this.bucketMs;
  }

  /** Counts into the bucket of `at`: a send's time, for a send and for its verification alike. */
  add(key: string, field: keyof Tally, at: number, amount = 1): void {
    const bucket = this.bucketOf(at);
    const id = `${key}|${bucket}`;
    const tally = this.pending.get(id) ?? { key, bucket, sent: 0, verified: 0 };
    tally[field] += amount;
    this.pending.set(id, tally);
  }

  /** The key's counts over the window ending now: shared, plus ours not yet in the shared figures. */
  total(key: string, now: number): Count {
    this.watched.set(key, now);
    const sum = emptyCount();
    this.addShared(sum, key, now);
    this.addLocal(sum, key, now);
    return sum;
  }

  /**
   * The same counts apart: the shared figures as last read, and what this replica counted since.
   * For a report, not a decision: it does not make the key one to read again at the next sync.
   */
  figures(key: string, now: number): { shared: Count; unsynced: Count } {
    const shared = emptyCount();
    const unsynced = emptyCount();
    this.addShared(shared, key, now);
    this.addLocal(unsynced, key, now);
    return { shared, unsynced };
  }

  private addShared(sum: Count, key: string, now: number): void {
    const start = this.windowStart(now);
    const matureEnd = now - this.graceMs;
    for (const [bucket, tally] of this.shared.get(key) ?? [])
      this.addUp(sum, bucket, tally, start, matureEnd);
  }

  /** Ours, pending and in flight: not yet in the shared figures. */
  private addLocal(sum: Count, key: string, now: number): void {
    const start = this.windowStart(now);
    const matureEnd = now - this.graceMs;
    for (const source of [this.pending, this.inFlight])
      for (const tally of source.values())
        if (tally.key === key) this.addUp(sum, tally.bucket, tally, start, matureEnd);
  }

  /** Adds a bucket's tally if it is inside the window (starting at `start`), as mature if old enough. */
  private addUp(sum: Count, bucket: number, tally: Tally, start: number, matureEnd: number): void {
    if (bucket < start) return;
    sum.sent += tally.sent;
    sum.verified += tally.verified;
    if (bucket + this.bucketMs <= matureEnd) {
      sum.matureSent += tally.sent;
      sum.matureVerified += tally.verified;
    }
  }

  /** Hands over what to flush; it still counts locally until `settle` brings the shared figures. */
  takePending(): BucketTally[] {
    for (const [id, tally] of this.pending) {
      const previous = this.inFlight.get(id);
      if (previous) {
        previous.sent += tally.sent;
        previous.verified += tally.verified;
      } else this.inFlight.set(id, tally);
    }
    this.pending = new Map();
    return [...this.inFlight.values()];
  }

  /**
   * The keys whose shared figures are worth reading again: those being flushed, and those looked at
   * within the last bucket (another replica may be counting them while this one only refuses).
   */
  touchedKeys(now: number): string[] {
    const recent = now - this.bucketMs;
    for (const [key, at] of this.watched) if (at < recent) this.watched.delete(key);
    return [...new Set([...[...this.inFlight.values()].map((tally) => tally.key), ...this.watched.keys()])];
  }

  /** The flush was written: the shared figures read after it replace those of the keys read. */
  settle(keys: readonly string[], read: readonly BucketTally[], now: number): void {
    this.inFlight = new Map();
    const start = this.windowStart(now);
    for (const key of keys) this.shared.set(key, new Map());
    for (const tally of read) {
      if (tally.bucket < start) continue;
      const buckets = this.shared.get(tally.key) ?? new Map<number, Tally>();
      buckets.set(tally.bucket, { sent: tally.sent, verified: tally.verified });
      this.shared.set(tally.key, buckets);
    }
    this.prune(start);
  }

  /** The flush failed: its counts go back to pending, to be written with the next one. */
  restore(): void {
    const failed = this.inFlight;
    this.inFlight = new Map();
    for (const tally of failed.values()) {
      this.add(tally.key, 'sent', tally.bucket, tally.sent);
      this.add(tally.key, 'verified', tally.bucket, tally.verified);
    }
  }

  private prune(start: number): void {
    for (const [key, buckets] of this.shared) {
      for (const bucket of buckets.keys()) if (bucket < start) buckets.delete(bucket);
      if (buckets.size === 0) this.shared.delete(key);
    }
  }
}
