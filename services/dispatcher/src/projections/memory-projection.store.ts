import type { HourlyBucketDocument, VerificationRecordDocument } from '@otpflow/mongo';
import type { BucketChange } from './hourly-contribution.js';
import type { ProjectionStore } from './projection-store.js';
import type { VerificationRecord } from './verification-record.js';

/** The read models in memory, with the MongoDB store's rules, for component tests. */
export class MemoryProjectionStore implements ProjectionStore {
  readonly records = new Map<string, VerificationRecordDocument>();
  readonly buckets = new Map<string, HourlyBucketDocument>();
  /** Writes that still lose their compare-and-set, as if another replica got there first. */
  conflictsToSimulate = 0;
  /** Bucket increments that still fail, as a store that went away would. */
  incrementFailures = 0;

  read(clientId: string, authenticationId: string): Promise<VerificationRecordDocument | null> {
    const found = this.records.get(authenticationId);
    return Promise.resolve(found?.clientId === clientId ? structuredClone(found) : null);
  }

  write(record: VerificationRecord, version: number): Promise<boolean> {
    if (this.conflictsToSimulate > 0) {
      this.conflictsToSimulate -= 1;
      return Promise.resolve(false);
    }
    const stored = this.records.get(record._id);
    if ((stored?.version ?? 0) !== version) return Promise.resolve(false);
    this.records.set(record._id, structuredClone({ ...record, version: version + 1 }));
    return Promise.resolve(true);
  }

  increment(change: BucketChange, purgeAt: Date): Promise<void> {
    if (this.incrementFailures > 0) {
      this.incrementFailures -= 1;
      return Promise.reject(new Error('the store is unavailable'));
    }
    const bucket = this.buckets.get(change.id) ?? {
      _id: change.id,
      ...change.key,
      requested: 0,
      sent: 0,
      verified: 0,
      smsParts: 0,
      billedParts: 0,
      price: {},
      purgeAt,
    };
    const { price, ...counts } = change.inc;
    for (const [field, value] of Object.entries(counts)) bucket[field as keyof typeof counts] += value;
    const prices = (bucket.price ??= {});
    for (const [currency, units] of Object.entries(price)) prices[currency] = (prices[currency] ?? 0) + units;
    this.buckets.set(change.id, bucket);
    return Promise.resolve();
  }
}
