import { ApiError, DependencyUnavailableError, type ApiErrorCode } from '@otpflow/errors';
import type { ExpiringCollection } from '@otpflow/mongo';
import type { Db } from 'mongodb';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { LeasedLimiter, LimitReached } from './leased-limiter.js';
import { MongoWindowCounter, type CounterDocument } from './window-counter.js';

export interface LimitSettings {
  /** Requests per client per window, on every endpoint: TOO_MANY_REQUESTS. */
  requestRate: { points: number; windowSeconds: number };
  /** Codes sent per client per window: QUOTA_EXCEEDED. */
  quota: { points: number; windowSeconds: number };
  /**
   * The least points a gateway takes at once from a client's request-rate and quota counters (see
   * LeasedLimiter; leases grow with the client's rate); at most a tenth of the limit, so small limits
   * stay exact. 1 disables leasing.
   */
  leaseSize: number;
}

/** Gives back what a request consumed when it fails before a code is sent. */
export type Release = () => Promise<void>;

/**
 * A busy client's lease holds what it spends in this long (or its window, if shorter): a refill of
 * its quota every 10 s whatever its rate, and no more of its points idle in one replica than that.
 */
const LEASE_HORIZON_MS = 10_000;

const COLLECTIONS = { requestRate: 'limits_requests', quota: 'limits_quota' } as const;
type LimitName = keyof typeof COLLECTIONS;

/**
 * How long the sweeper keeps a counter past its window (see ExpiringCollection): the per-client
 * counters are updated by every request of a client, so they keep the hour. (Codes per number are
 * counted in the number's own document: docs/data-model.md.)
 */
const SWEEP_GRACE_MS: Record<LimitName, number> = { requestRate: 3_600_000, quota: 3_600_000 };

/**
 * The per-client limits, kept in MongoDB (fixed windows in rate-limiter-flexible's documents,
 * MongoWindowCounter) so every gateway replica counts against the same numbers. (On FerretDB, whose updates are not atomic, concurrent increments on one
 * key can be lost: the limits then admit a few extra requests under a burst. On MongoDB they are exact.)
 */
export class Limits {
  private readonly requestRate: LeasedLimiter;
  private readonly quota: LeasedLimiter;

  constructor(
    private readonly db: Db,
    settings: LimitSettings,
  ) {
    const leased = (name: 'requestRate' | 'quota') => {
      const limit = settings[name];
      // A tenth of the limit at most, so small limits stay exact; 1 (no leasing) stays 1.
      const tenth = Math.max(1, Math.floor(limit.points / 10));
      const min = Math.max(1, Math.min(settings.leaseSize, tenth));
      const sizes = {
        min,
        max: min === 1 ? 1 : tenth,
        horizonMs: Math.min(LEASE_HORIZON_MS, limit.windowSeconds * 1000),
      };
      return new LeasedLimiter(this.limiter(name, name, limit), sizes);
    };
    this.requestRate = leased('requestRate');
    this.quota = leased('quota');
  }

  private limiter(
    name: LimitName,
    keyPrefix: string,
    limit: { points: number; windowSeconds: number },
  ): MongoWindowCounter {
    // Indexes are created by ensureIndexes, which knows whether the store has TTL indexes.
    const collection = this.db.collection<CounterDocument>(COLLECTIONS[name]);
    return new MongoWindowCounter(collection, keyPrefix, limit.points, limit.windowSeconds);
  }

  /** The collections whose counters expire, with their expiry field, for ensureIndexes. */
  expiringCollections(): ExpiringCollection[] {
    return (Object.keys(COLLECTIONS) as LimitName[]).map((name) => ({
      collection: this.db.collection(COLLECTIONS[name]),
      field: 'expire',
      sweepGraceMs: SWEEP_GRACE_MS[name],
    }));
  }

  /** Unique key indexes the limiter relies on. */
  async ensureKeyIndexes(): Promise<void> {
    for (const name of Object.values(COLLECTIONS)) {
      await this.db.collection(name).createIndex({ key: 1 }, { unique: true, name: 'key_unique' }, undefined);
    }
  }

  async checkRequestRate(clientId: string): Promise<void> {
    await takeLeased(this.requestRate, clientId, 'TOO_MANY_REQUESTS');
  }

  takeQuota(clientId: string): Promise<Release> {
    return takeLeased(this.quota, clientId, 'QUOTA_EXCEEDED');
  }
}

async function takeLeased(limiter: LeasedLimiter, key: string, code: ApiErrorCode): Promise<Release> {
  await refusedAs(code, () => limiter.take(key));
  return () => {
    limiter.give(key);
    return Promise.resolve();
  };
}

/** Runs a limiter call; a refusal becomes the API error, a store failure a 503. */
async function refusedAs(code: ApiErrorCode, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (rejection) {
    // rate-limiter-flexible rejects with a RateLimiterRes (not an Error) when a limit is reached.
    if (rejection instanceof RateLimiterRes || rejection instanceof LimitReached) {
      throw new ApiError(code, { retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) });
    }
    throw new DependencyUnavailableError('mongodb', 'the limit store did not answer', rejection);
  }
}
