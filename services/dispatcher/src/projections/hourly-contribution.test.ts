import { describe, expect, it } from 'vitest';
import { bucketChanges, bucketId, contributionOf, floorHour } from './hourly-contribution.js';
import type { VerificationRecord } from './verification-record.js';

const created = new Date('2026-03-01T09:58:12.000Z');
const base: VerificationRecord = {
  _id: 'auth-1',
  clientId: 'tenant-a',
  channel: 'sms',
  countryCallingCode: '33',
  createdAt: created,
  status: 'queued',
  charges: {},
  updatedAt: created,
  purgeAt: new Date('2026-04-01T00:00:00.000Z'),
};
const sent: VerificationRecord = {
  ...base,
  status: 'sent',
  provider: 'vonage',
  sentAt: new Date('2026-03-01T09:58:14.000Z'),
  charges: { e1: { smsParts: 2, billedParts: 2, price: { amount: '0.0333', currency: 'EUR' } } },
};
const verified: VerificationRecord = {
  ...sent,
  status: 'verified',
  verifiedAt: new Date('2026-03-01T10:03:00.000Z'),
};

describe('what a verification adds to the hourly buckets', () => {
  it('counts in the hour it was created, once, with its charges', () => {
    expect(floorHour(created).toISOString()).toBe('2026-03-01T09:00:00.000Z');
    expect(contributionOf(verified)).toEqual({
      key: {
        clientId: 'tenant-a',
        hour: new Date('2026-03-01T09:00:00.000Z'),
        countryCallingCode: '33',
        channel: 'sms',
        provider: 'vonage',
      },
      counts: {
        requested: 1,
        sent: 1,
        verified: 1,
        smsParts: 2,
        billedParts: 2,
        price: { EUR: 333_000_000 },
      },
    });
  });

  it('adds the difference a change made, and nothing for no change', () => {
    expect(bucketChanges(sent, verified)).toEqual([
      {
        id: 'tenant-a|2026-03-01T09:00:00.000Z|33|sms|vonage',
        key: contributionOf(verified).key,
        inc: { requested: 0, sent: 0, verified: 1, smsParts: 0, billedParts: 0, price: {} },
      },
    ]);
    expect(bucketChanges(verified, verified)).toEqual([]);
    expect(bucketChanges(null, base)).toMatchObject([
      { id: 'tenant-a|2026-03-01T09:00:00.000Z|33|sms|unknown', inc: { requested: 1, sent: 0 } },
    ]);
  });

  it('moves the whole contribution when the bucket changes (the provider became known)', () => {
    const early: VerificationRecord = { ...base, verifiedAt: verified.verifiedAt, status: 'verified' };
    const changes = bucketChanges(early, verified);
    expect(changes.map((change) => [change.id, change.inc.requested, change.inc.verified])).toEqual([
      [bucketId({ ...contributionOf(early).key }), -1, -1],
      [bucketId(contributionOf(verified).key), 1, 1],
    ]);
    expect(changes[1]?.inc.price).toEqual({ EUR: 333_000_000 });
  });
});
