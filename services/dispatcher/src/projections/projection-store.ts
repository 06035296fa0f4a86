import type { VerificationRecordDocument } from '@otpflow/mongo';
import type { BucketChange } from './hourly-contribution.js';
import type { VerificationRecord } from './verification-record.js';

/** Where the projector keeps the read models: MongoDB in production, memory in component tests. */
export interface ProjectionStore {
  read(clientId: string, authenticationId: string): Promise<VerificationRecordDocument | null>;
  /**
   * Stores a record if the stored one is still at `version` (0: none stored yet), as version + 1.
   * False when another writer got there first: the caller reads again and folds its event anew.
   */
  write(record: VerificationRecord, version: number): Promise<boolean>;
  /** Adds a change to its bucket, creating the bucket (with its expiry) on its first change. */
  increment(change: BucketChange, purgeAt: Date): Promise<void>;
}
