import { priceFromUnits, priceUnits } from '@otpflow/contracts';
import type { HourlyBucketDocument, RecordStatus, VerificationRecordDocument } from '@otpflow/mongo';
import type {
  ConversionFigures,
  ConversionGroup,
  ConversionReport,
  VerificationSummary,
} from './listing.schemas.js';

const iso = (date: Date | undefined) => (date ? new Date(date).toISOString() : null);

/** The status shown: the projected one, or expired when an open verification's code has lapsed. */
export function shownStatus(record: VerificationRecordDocument, now: Date): RecordStatus {
  const open = record.status === 'queued' || record.status === 'sent' || record.status === 'delivered';
  return open && record.expiresAt && record.expiresAt <= now ? 'expired' : record.status;
}

export function verificationSummary(record: VerificationRecordDocument, now: Date): VerificationSummary {
  const charges = Object.values(record.charges);
  const units = new Map<string, number>();
  for (const { price } of charges)
    if (price) units.set(price.currency, (units.get(price.currency) ?? 0) + priceUnits(price));
  return {
    id: record._id,
    status: shownStatus(record, now),
    channel: record.channel,
    to: record.maskedTo ?? null,
    country: record.countryCallingCode,
    provider: record.provider ?? null,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    expiresAt: iso(record.expiresAt),
    sentAt: iso(record.sentAt),
    deliveredAt: iso(record.deliveredAt),
    verifiedAt: iso(record.verifiedAt),
    cost: {
      smsParts: charges.reduce((sum, charge) => sum + (charge.smsParts ?? 0), 0),
      billedParts: charges.reduce((sum, charge) => sum + (charge.billedParts ?? 0), 0),
      price: pricesOf(units),
    },
  };
}

const pricesOf = (units: ReadonlyMap<string, number>) =>
  [...units.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => priceFromUnits(amount, currency));

interface Sum {
  requested: number;
  sent: number;
  verified: number;
  smsParts: number;
  billedParts: number;
  price: Map<string, number>;
}

const emptySum = (): Sum => ({
  requested: 0,
  sent: 0,
  verified: 0,
  smsParts: 0,
  billedParts: 0,
  price: new Map(),
});

function add(sum: Sum, bucket: HourlyBucketDocument): void {
  sum.requested += bucket.requested;
  sum.sent += bucket.sent;
  sum.verified += bucket.verified;
  sum.smsParts += bucket.smsParts;
  sum.billedParts += bucket.billedParts;
  for (const [currency, units] of Object.entries(bucket.price ?? {}))
    sum.price.set(currency, (sum.price.get(currency) ?? 0) + units);
}

const isEmpty = (sum: Sum) =>
  sum.requested === 0 &&
  sum.sent === 0 &&
  sum.verified === 0 &&
  sum.smsParts === 0 &&
  sum.billedParts === 0 &&
  [...sum.price.values()].every((units) => units === 0);

function figures(sum: Sum): ConversionFigures {
  return {
    requested: sum.requested,
    sent: sum.sent,
    verified: sum.verified,
    conversion: sum.sent > 0 ? sum.verified / sum.sent : null,
    cost: { smsParts: sum.smsParts, billedParts: sum.billedParts, price: pricesOf(sum.price) },
  };
}

const GROUP_FIELD = {
  country: 'countryCallingCode',
  channel: 'channel',
  provider: 'provider',
} as const satisfies Record<ConversionGroup, keyof HourlyBucketDocument>;

/** Sums hourly buckets into the conversion report: per group (sorted by key) and in total. */
export function conversionReport(
  buckets: readonly HourlyBucketDocument[],
  range: { from: Date; to: Date; groupBy: ConversionGroup | undefined },
): ConversionReport {
  const total = emptySum();
  const groups = new Map<string, Sum>();
  for (const bucket of buckets) {
    add(total, bucket);
    if (!range.groupBy) continue;
    const key = bucket[GROUP_FIELD[range.groupBy]];
    const sum = groups.get(key) ?? emptySum();
    add(sum, bucket);
    groups.set(key, sum);
  }
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    groupBy: range.groupBy ?? null,
    groups: [...groups.entries()]
      // A bucket a verification moved out of (its provider became known) is left at zero.
      .filter(([, sum]) => !isEmpty(sum))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, sum]) => ({ key, ...figures(sum) })),
    total: figures(total),
  };
}
