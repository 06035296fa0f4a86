import type { Channel } from '@otpflow/contracts';
import type { Collection, Db, IndexDescription } from 'mongodb';
import type { ExpiringCollection } from './indexes.js';

/**
 * The read models of the event stream (docs/data-model.md): one record per verification, for
 * `GET /v1/verifications`, and hourly buckets, for `GET /v1/analytics/conversion`. The dispatcher's
 * projector writes them from the events; the gateway only reads them. Neither is on the path of a
 * send or a check: they trail the events by the consumer's lag.
 */
export const VERIFICATION_RECORDS_COLLECTION = 'verification_records';
export const HOURLY_BUCKETS_COLLECTION = 'hourly_buckets';

/** Where a verification is, as the listing tells it (the same words as the verification's GET). */
export const RECORD_STATUSES = [
  'queued',
  'sent',
  'delivered',
  'failed',
  'expired',
  'verified',
  'canceled',
] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

/** What one event billed, kept by event id so that an event applied twice counts once. */
export interface RecordCharge {
  /** SMS parts as otpflow counted them before sending (code.sent). */
  smsParts?: number;
  /** What the vendor says it billed. */
  billedParts?: number;
  price?: { amount: string; currency: string };
}

export interface VerificationRecordDocument {
  /** The authentication id. */
  _id: string;
  clientId: string;
  channel: Channel;
  countryCallingCode: string;
  /** As logs show it; absent until code.requested is read. */
  maskedTo?: string;
  /** When the verification's first code was requested: the sort key of the listing. */
  createdAt: Date;
  expiresAt?: Date;
  /** The status from the events alone; one past `expiresAt` and not ended reads as expired. */
  status: RecordStatus;
  provider?: string;
  /** When the send that named the provider happened (a receipt names one only until then). */
  providerAt?: Date;
  /** Facts, each set once (or moved by a later event of the same kind, by its own time). */
  sentAt?: Date;
  deliveredAt?: Date;
  verifiedAt?: Date;
  canceledAt?: Date;
  /** The last word on the delivery, by the time of the event that said it. */
  delivery?: { state: 'sent' | 'delivered' | 'failed'; at: Date; reason?: string };
  /** A validation refusal that ends the verification (max attempts, expired, superseded). */
  ended?: { state: 'failed' | 'expired'; at: Date; reason: string };
  charges: Record<string, RecordCharge>;
  /** The newest event applied. */
  updatedAt: Date;
  /** Compare-and-set version: projector replicas never overwrite each other's work. */
  version: number;
  purgeAt: Date;
}

/** One hour of one tenant's traffic, for one country, channel and provider. */
export interface HourlyBucketDocument {
  /** `<clientId>|<hour ISO>|<country>|<channel>|<provider>`: one document per dimension tuple. */
  _id: string;
  clientId: string;
  hour: Date;
  countryCallingCode: string;
  channel: Channel;
  /** `unknown` until a provider accepted the verification's code. */
  provider: string;
  requested: number;
  sent: number;
  verified: number;
  smsParts: number;
  billedParts: number;
  /**
   * Billed price per currency, in units of 1e-10 (the price contract's precision): exact sums.
   * Absent until a verification of the bucket is billed a price.
   */
  price?: Record<string, number>;
  purgeAt: Date;
}

/**
 * The listing's indexes: every query starts with the tenant and sorts by creation, newest first;
 * filtered listings have their own prefix. `{clientId, _id}` is the shard key (docs/data-model.md).
 */
export const VERIFICATION_RECORD_INDEXES: IndexDescription[] = [
  { key: { clientId: 1, createdAt: -1, _id: -1 }, name: 'tenant_created' },
  { key: { clientId: 1, status: 1, createdAt: -1, _id: -1 }, name: 'tenant_status_created' },
  { key: { clientId: 1, channel: 1, createdAt: -1, _id: -1 }, name: 'tenant_channel_created' },
  { key: { clientId: 1, countryCallingCode: 1, createdAt: -1, _id: -1 }, name: 'tenant_country_created' },
];

export const HOURLY_BUCKET_INDEXES: IndexDescription[] = [
  { key: { clientId: 1, hour: 1 }, name: 'tenant_hour' },
];

export function verificationRecords(db: Db): Collection<VerificationRecordDocument> {
  return db.collection<VerificationRecordDocument>(VERIFICATION_RECORDS_COLLECTION);
}

export function hourlyBuckets(db: Db): Collection<HourlyBucketDocument> {
  return db.collection<HourlyBucketDocument>(HOURLY_BUCKETS_COLLECTION);
}

/**
 * Creates the read models' indexes that are missing (every replica at every start). Only the
 * missing ones: FerretDB v1 drops the connection when asked again for an existing index with a
 * descending key, where MongoDB would answer that nothing changed.
 */
export async function ensureReadModelIndexes(db: Db): Promise<void> {
  await createMissingIndexes(db.collection(VERIFICATION_RECORDS_COLLECTION), VERIFICATION_RECORD_INDEXES);
  await createMissingIndexes(db.collection(HOURLY_BUCKETS_COLLECTION), HOURLY_BUCKET_INDEXES);
}

/** MongoDB's code for a collection that does not exist (yet). */
const NAMESPACE_NOT_FOUND = 26;

async function createMissingIndexes(collection: Collection, indexes: IndexDescription[]): Promise<void> {
  let existing: Set<unknown>;
  try {
    const listed = await collection.listIndexes().toArray();
    existing = new Set(listed.map((index: { name?: unknown }) => index.name));
  } catch (error) {
    if ((error as { code?: unknown }).code !== NAMESPACE_NOT_FOUND) throw error;
    existing = new Set();
  }
  const missing = indexes.filter((index) => !existing.has(index.name));
  if (missing.length > 0) await collection.createIndexes(missing);
}

export function readModelsExpiry(db: Db): ExpiringCollection[] {
  return [
    { collection: db.collection(VERIFICATION_RECORDS_COLLECTION), field: 'purgeAt' },
    { collection: db.collection(HOURLY_BUCKETS_COLLECTION), field: 'purgeAt' },
  ];
}
