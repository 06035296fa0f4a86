import { ApiError, DependencyUnavailableError, type ApiErrorCode } from '@otpflow/errors';
import type { ExpiringCollection } from '@otpflow/mongo';
import type { Db } from 'mongodb';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';

export interface LimitSettings {
  /** Requests per client per window, on every endpoint: TOO_MANY_REQUESTS. */
  requestRate: { points: number; windowSeconds: number };
  /** Codes sent per client per window: QUOTA_EXCEEDED. */
  quota: { points: number; windowSeconds: number };
}

/** Codes per client and phone number per window (from the client's policy): MAX_OTP_CODES_EXCEEDED. */
export interface SendLimit {
  max: number;
  windowSeconds: number;
}

/** Gives back what a request consumed when it fails before a code is sent. */
export type Release = () => Promise<void>;

const COLLECTIONS = { requestRate: 'limits_requests', quota: 'limits_quota', sends: 'limits_sends' } as const;
type LimitName = keyof typeof COLLECTIONS;

/**
 * The three limits, kept in MongoDB with rate-limiter-flexible so every gateway replica counts
 * against the same numbers. (On FerretDB, whose updates are not atomic, concurrent increments on one
 * key can be lost: the limits then admit a few extra requests under a burst. On MongoDB they are exact.)
 */
export class Limits {
  private readonly requestRate: RateLimiterMongo;
  private readonly quota: RateLimiterMongo;
  /** One limiter per distinct send limit among client policies, made on first use. */
  private readonly sendLimiters = new Map<string, RateLimiterMongo>();

  constructor(
    private readonly db: Db,
    settings: LimitSettings,
  ) {
    this.requestRate = this.limiter('requestRate', 'requestRate', settings.requestRate);
    this.quota = this.limiter('quota', 'quota', settings.quota);
  }

  private limiter(
    name: LimitName,
    keyPrefix: string,
    limit: { points: number; windowSeconds: number },
  ): RateLimiterMongo {
    return new RateLimiterMongo({
      storeClient: this.db,
      tableName: COLLECTIONS[name],
      keyPrefix,
      points: limit.points,
      duration: limit.windowSeconds,
      // Indexes are created by ensureIndexes, which knows whether the store has TTL indexes.
      disableIndexesCreation: true,
    });
  }

  /** The collections whose counters expire, with their expiry field, for ensureIndexes. */
  expiringCollections(): ExpiringCollection[] {
    return Object.values(COLLECTIONS).map((name) => ({
      collection: this.db.collection(name),
      field: 'expire',
      sweepGraceMs: 3_600_000,
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

  takeSend(phoneKey: string, limit: SendLimit): Promise<Release> {
    // Keys carry the limit, so a client whose policy changes starts a fresh count under the new one.
    const prefix = `sends:${limit.max}:${limit.windowSeconds}`;
    let limiter = this.sendLimiters.get(prefix);
    if (!limiter) {
      limiter = this.limiter('sends', prefix, { points: limit.max, windowSeconds: limit.windowSeconds });
      this.sendLimiters.set(prefix, limiter);
    }
    return take(limiter, phoneKey, 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED');
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
