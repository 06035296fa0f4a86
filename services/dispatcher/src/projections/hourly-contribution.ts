import { priceUnits } from '@otpflow/contracts';
import type { HourlyBucketDocument } from '@otpflow/mongo';
import type { VerificationRecord } from './verification-record.js';

/** The dimensions of an hourly bucket: a tenant's hour, by country, channel and provider. */
export type BucketKey = Pick<
  HourlyBucketDocument,
  'clientId' | 'hour' | 'countryCallingCode' | 'channel' | 'provider'
>;

/** The counters of a bucket, as `$inc` adds them (prices by currency, in 1e-10 units). */
export type BucketCounts = Pick<
  HourlyBucketDocument,
  'requested' | 'sent' | 'verified' | 'smsParts' | 'billedParts'
> & { price: Record<string, number> };

export interface BucketChange {
  id: string;
  key: BucketKey;
  inc: BucketCounts;
}

const HOUR_MS = 3_600_000;
export const floorHour = (date: Date) => new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);

export function bucketId(key: BucketKey): string {
  return [key.clientId, key.hour.toISOString(), key.countryCallingCode, key.channel, key.provider].join('|');
}

/**
 * What one verification adds to the hourly buckets: one bucket (the hour it was created in, its
 * country, channel and provider), counting it once as requested, once as sent and once as verified
 * whatever the resends, with what its events billed. Conversion is by cohort: a code verified at
 * 10:05 that was requested at 09:58 counts in the 09:00 bucket, with its send.
 */
export function contributionOf(record: VerificationRecord): { key: BucketKey; counts: BucketCounts } {
  const charges = Object.values(record.charges);
  const price: Record<string, number> = {};
  for (const charge of charges)
    if (charge.price)
      price[charge.price.currency] = (price[charge.price.currency] ?? 0) + priceUnits(charge.price);
  return {
    key: {
      clientId: record.clientId,
      hour: floorHour(record.createdAt),
      countryCallingCode: record.countryCallingCode,
      channel: record.channel,
      provider: record.provider ?? 'unknown',
    },
    counts: {
      requested: 1,
      sent: record.sentAt ? 1 : 0,
      verified: record.verifiedAt ? 1 : 0,
      smsParts: charges.reduce((sum, charge) => sum + (charge.smsParts ?? 0), 0),
      billedParts: charges.reduce((sum, charge) => sum + (charge.billedParts ?? 0), 0),
      price,
    },
  };
}

const ZERO: BucketCounts = { requested: 0, sent: 0, verified: 0, smsParts: 0, billedParts: 0, price: {} };

function difference(after: BucketCounts, before: BucketCounts): BucketCounts {
  const price: Record<string, number> = {};
  for (const currency of new Set([...Object.keys(after.price), ...Object.keys(before.price)])) {
    const delta = (after.price[currency] ?? 0) - (before.price[currency] ?? 0);
    if (delta !== 0) price[currency] = delta;
  }
  return {
    requested: after.requested - before.requested,
    sent: after.sent - before.sent,
    verified: after.verified - before.verified,
    smsParts: after.smsParts - before.smsParts,
    billedParts: after.billedParts - before.billedParts,
    price,
  };
}

const isZero = (counts: BucketCounts) =>
  counts.requested === 0 &&
  counts.sent === 0 &&
  counts.verified === 0 &&
  counts.smsParts === 0 &&
  counts.billedParts === 0 &&
  Object.keys(counts.price).length === 0;

/**
 * The bucket increments that take the aggregates from a record's old state to its new one: its
 * contribution's difference, or, when its bucket moved (the provider became known, an earlier
 * request was read late), its old contribution taken out of the old bucket and put in the new one.
 */
export function bucketChanges(before: VerificationRecord | null, after: VerificationRecord): BucketChange[] {
  const next = contributionOf(after);
  const previous = before ? contributionOf(before) : undefined;
  const changes: BucketChange[] = [];
  if (previous && bucketId(previous.key) !== bucketId(next.key)) {
    changes.push({ id: bucketId(previous.key), key: previous.key, inc: difference(ZERO, previous.counts) });
    changes.push({ id: bucketId(next.key), key: next.key, inc: next.counts });
  } else {
    changes.push({
      id: bucketId(next.key),
      key: next.key,
      inc: difference(next.counts, previous?.counts ?? ZERO),
    });
  }
  return changes.filter((change) => !isZero(change.inc));
}
