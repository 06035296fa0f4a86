import { ApiError, DependencyUnavailableError, type ApiErrorCode } from '@otpflow/errors';
import type { ExpiringCollection } from '@otpflow/mongo';
import type { Db } from 'mongodb';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';

export interface LimitSettings {
  /** Requests per client per window, on every endpoint: TOO_MANY_REQUESTS. */
  requestRate: { points: number; windowSeconds: number };
  /** Codes sent per client per window: QUOTA_EXCEEDED. */
  quota: { points: number; windowSeconds: number };
  /** Codes sent per client and phone number per window: MAX_OTP_CODES_EXCEEDED. */
  sends: { points: number; windowSeconds: number };
}

/** Gives back what a request consumed when it fails before a code is sent. */
export type Release = () => Promise<void>;

const COLLECTIONS = { requestRate: 'limits_requests', quota: 'limits_quota', sends: 'limits_sends' } as const;

/**
 * The three limits, kept in MongoDB with rate-limiter-flexible so every gateway replica counts
 * against the same numbers. (On FerretDB, whose updates are not atomic, concurrent increments on one
 * key can be lost: the limits then admit a few extra requests under a burst. On MongoDB they are exact.)
 */
export class Limits {
  private readonly requestRate: RateLimiterMongo;
  private readonly quota: RateLimiterMongo;
  private readonly sends: RateLimiterMongo;

  constructor(
    private readonly db: Db,
    settings: LimitSettings,
  ) {
    const limiter = (name: keyof typeof COLLECTIONS) =>
      new RateLimiterMongo({
        storeClient: db,
        tableName: COLLECTIONS[name],
        keyPrefix: name,
        points: settings[name].points,
        duration: settings[name].windowSeconds,
        // Indexes are created by ensureIndexes, which knows whether the store has TTL indexes.
        disableIndexesCreation: true,
      });
    this.requestRate = limiter('requestRate');
    this.quota = limiter('quota');
    this.sends = limiter('sends');
  }

  /** The collections whose counters expire, with their expiry field, for ensureIndexes. */
  expiringCollections(): ExpiringCollection[] {
    return Object.values(COLLECTIONS).map((name) => ({
      collection: this.db.collection(name),
      field: 'expire',
    }));
  }

  /** Unique key indexes the limiter relies on. */
  async ensureKeyIndexes(): Promise<void> {
    for (const name of Object.values(COLLECTIONS)) {
      await this.db.collection(name).createIndex({ key: 1 }, { unique: true, name: 'key_unique' }, undefined);
    }
  }

  async checkRequestRate(clientId: string): Promise<void> {
    await take(this.requestRate, clientId, 'TOO_MANY_REQUESTS');
  }

  takeQuota(clientId: string): Promise<Release> {
    return take(this.quota, clientId, 'QUOTA_EXCEEDED');
  }

  takeSend(phoneKey: string): Promise<Release> {
    return take(this.sends, phoneKey, 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED');
  }
}

async function take(limiter: RateLimiterMongo, key: string, code: ApiErrorCode): Promise<Release> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      throw new ApiError(code, { retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) });
    }
    throw new DependencyUnavailableError('mongodb', 'the limit store did not answer', rejection);
  }
  return async () => {
    await limiter.reward(key, 1).catch(() => undefined);
  };
}
