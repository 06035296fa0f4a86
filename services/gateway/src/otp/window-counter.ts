import { isDuplicateKeyError } from '@otpflow/mongo';
import type { Collection } from 'mongodb';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { SharedCounter } from './leased-limiter.js';

/** A client's count for its current window, as rate-limiter-flexible's MongoDB limiter keeps it. */
export interface CounterDocument {
  key: string;
  points: number;
  expire: Date;
}

/** Past this many keys, the window ends remembered for keys gone quiet are dropped. */
const PRUNE_THRESHOLD = 10_000;
/** A window start racing another replica's start of the same window goes round this often. */
const WRITE_ROUNDS = 3;

/**
 * A fixed-window counter per key in MongoDB, in rate-limiter-flexible's documents (`key`, `points`,
 * `expire`; one per key, the `key` unique), so counters written by either read the same. Each
 * `consume` is one command, a new window included: rate-limiter-flexible's upsert, filtered on a live
 * window, fails with a duplicate key on the ended window's document and replaces it with a second
 * command, and with a one-second request-rate window that is two commands a second per client even at
 * low rates. This counter remembers when each key's window ends and, once it has, starts the next
 * one with the replace at once (only when another replica got there first does it fall back to the
 * increment).
 */
export class MongoWindowCounter implements SharedCounter {
  private readonly windowEnds = new Map<string, number>();

  constructor(
    private readonly collection: Collection<CounterDocument>,
    private readonly keyPrefix: string,
    readonly points: number,
    private readonly windowSeconds: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Adds `points`; rejects with a RateLimiterRes (its `consumedPoints` the window's total) past the limit. */
  async consume(key: string, points: number): Promise<RateLimiterRes> {
    const id = `${this.keyPrefix}:${key}`;
    const now = this.clock();
    const knownEnd = this.windowEnds.get(id);
    let counted = knownEnd !== undefined && knownEnd <= now ? await this.startWindow(id, points, now) : null;
    for (let round = 1; !counted; round += 1) {
      try {
        counted = await this.add(id, points, now);
      } catch (error) {
        // The key's document is there with its window ended: start the next one over it.
        if (!isDuplicateKeyError(error) || round >= WRITE_ROUNDS) throw error;
        counted = await this.startWindow(id, points, now);
      }
    }
    if (this.windowEnds.size > PRUNE_THRESHOLD) this.prune(now);
    const end = counted.expire.getTime();
    this.windowEnds.set(id, end);
    const result = new RateLimiterRes(
      Math.max(0, this.points - counted.points),
      Math.max(0, end - now),
      counted.points,
    );
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rate-limiter-flexible's refusal, which LeasedLimiter reads
    if (counted.points > this.points) throw result;
    return result;
  }

  /** Takes points back from the current window (never from a window that has ended). */
  async reward(key: string, points: number): Promise<void> {
    await this.collection.updateOne(
      { key: `${this.keyPrefix}:${key}`, expire: { $gt: new Date(this.clock()) } },
      { $inc: { points: -points } },
    );
  }

  /** Counts in the live window, or creates the key's first one. */
  private add(id: string, points: number, now: number): Promise<CounterDocument | null> {
    return this.collection.findOneAndUpdate(
      { key: id, expire: { $gt: new Date(now) } },
      { $setOnInsert: { key: id, expire: this.windowEndFrom(now) }, $inc: { points } },
      { upsert: true, returnDocument: 'after' },
    );
  }

  /** Replaces an ended window with a new one; null when there is none to replace (another replica did). */
  private startWindow(id: string, points: number, now: number): Promise<CounterDocument | null> {
    return this.collection.findOneAndUpdate(
      { key: id, expire: { $lte: new Date(now) } },
      { $set: { points, expire: this.windowEndFrom(now) } },
      { returnDocument: 'after' },
    );
  }

  private windowEndFrom(now: number): Date {
    return new Date(now + this.windowSeconds * 1000);
  }

  private prune(now: number): void {
    for (const [id, end] of this.windowEnds) if (end <= now) this.windowEnds.delete(id);
  }
}
