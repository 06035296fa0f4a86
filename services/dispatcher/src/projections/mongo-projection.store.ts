import {
  hourlyBuckets,
  isDuplicateKeyError,
  verificationRecords,
  type HourlyBucketDocument,
  type VerificationRecordDocument,
} from '@otpflow/mongo';
import type { Collection, Db } from 'mongodb';
import type { BucketChange } from './hourly-contribution.js';
import type { ProjectionStore } from './projection-store.js';
import type { VerificationRecord } from './verification-record.js';

/**
 * The read models in MongoDB. A record is written by compare-and-set on its version (a unique-key
 * insert for the first), so projector replicas never overwrite each other's facts; buckets take
 * `$inc`. Every filter carries the tenant, the shard key's prefix.
 */
export class MongoProjectionStore implements ProjectionStore {
  private readonly records: Collection<VerificationRecordDocument>;
  private readonly buckets: Collection<HourlyBucketDocument>;

  constructor(db: Db) {
    this.records = verificationRecords(db);
    this.buckets = hourlyBuckets(db);
  }

  read(clientId: string, authenticationId: string): Promise<VerificationRecordDocument | null> {
    return this.records.findOne({ _id: authenticationId, clientId });
  }

  async write(record: VerificationRecord, version: number): Promise<boolean> {
    const stored = { ...record, version: version + 1 };
    if (version === 0) {
      try {
        await this.records.insertOne(stored);
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    const result = await this.records.replaceOne(
      { _id: record._id, clientId: record.clientId, version },
      stored,
    );
    return result.matchedCount === 1;
  }

  async increment(change: BucketChange, purgeAt: Date): Promise<void> {
    const { price, ...counts } = change.inc;
    const inc: Record<string, number> = { ...counts };
    for (const [currency, units] of Object.entries(price)) inc[`price.${currency}`] = units;
    const update = { $setOnInsert: { ...change.key, purgeAt }, $inc: inc };
    try {
      await this.buckets.updateOne({ _id: change.id, clientId: change.key.clientId }, update, {
        upsert: true,
      });
    } catch (error) {
      // Two first changes of one bucket raced to create it: the loser's is now an update.
      if (!isDuplicateKeyError(error)) throw error;
      await this.buckets.updateOne({ _id: change.id, clientId: change.key.clientId }, update, {
        upsert: true,
      });
    }
  }
}
