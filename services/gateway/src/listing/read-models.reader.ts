import {
  hourlyBuckets,
  verificationRecords,
  type HourlyBucketDocument,
  type VerificationRecordDocument,
} from '@otpflow/mongo';
import type { Db, Filter } from 'mongodb';
import type { PagePosition } from './listing-cursor.js';
import type { ListVerificationsQuery } from './listing.schemas.js';

/** Statuses that a lapsed expiry turns into `expired` when the listing reads them. */
const OPEN_STATUSES = ['queued', 'sent', 'delivered'] as const;

export interface ListingFilter extends Omit<ListVerificationsQuery, 'cursor' | 'pageSize'> {
  after?: PagePosition;
  limit: number;
}

/**
 * Reads the projector's read models for one tenant: a page of verification records, newest first,
 * or the hourly buckets of a range. Every query starts with the tenant (the indexes' and the shard
 * key's prefix) and none reads the sessions.
 */
export class ReadModelReader {
  constructor(private readonly db: Db) {}

  list(clientId: string, filter: ListingFilter, now = new Date()): Promise<VerificationRecordDocument[]> {
    return verificationRecords(this.db)
      .find(listingQuery(clientId, filter, now))
      .sort({ createdAt: -1, _id: -1 })
      .limit(filter.limit)
      .toArray();
  }

  buckets(clientId: string, from: Date, to: Date): Promise<HourlyBucketDocument[]> {
    return hourlyBuckets(this.db)
      .find({ clientId, hour: { $gte: from, $lt: to } })
      .toArray();
  }
}

/** The store filter of a listing: the tenant, the filters, and the page's start. */
export function listingQuery(
  clientId: string,
  filter: ListingFilter,
  now: Date,
): Filter<VerificationRecordDocument> {
  const and: Filter<VerificationRecordDocument>[] = [{ clientId }];
  if (filter.channel) and.push({ channel: filter.channel });
  if (filter.country) and.push({ countryCallingCode: filter.country });
  if (filter.from || filter.to)
    and.push({
      createdAt: { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) },
    });
  if (filter.status) and.push(statusQuery(filter.status, now));
  if (filter.after)
    and.push({
      $or: [
        { createdAt: { $lt: filter.after.createdAt } },
        { createdAt: filter.after.createdAt, _id: { $lt: filter.after.id } },
      ],
    });
  return { $and: and };
}

/** A status as the listing shows it: an open verification past its expiry is expired. */
function statusQuery(
  status: NonNullable<ListingFilter['status']>,
  now: Date,
): Filter<VerificationRecordDocument> {
  if (status === 'expired')
    return {
      $or: [{ status: 'expired' }, { status: { $in: [...OPEN_STATUSES] }, expiresAt: { $lte: now } }],
    };
  if ((OPEN_STATUSES as readonly string[]).includes(status))
    return { status, $or: [{ expiresAt: { $gt: now } }, { expiresAt: { $exists: false } }] };
  return { status };
}
