import fc from 'fast-check';
import { bodyAround, mostly, pathParameter, unicodeText, type BodyPlan } from './arbitraries.js';

/**
 * Generators for the read-model queries (GET /v1/verifications, GET /v1/analytics/conversion) and the
 * fraud guard's admin routes (/v1/admin/fraud). A query is the whole query string, already encoded:
 * mostly well-formed filters, sometimes values out of range, unknown names or raw junk.
 */

const encode = (fields: Record<string, string | undefined>): string =>
  new URLSearchParams(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();

/**
 * Any text of a query value, short enough that the URL stays within Node's 16 KB header limit (past it
 * Node itself answers 431 before the gateway sees the request: not the gateway's answer to judge).
 */
const queryText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  unicodeText(40),
  fc.integer().map(String),
  fc.integer({ min: 200, max: 1_500 }).map((count) => '7'.repeat(count)),
);

const isoDate = fc
  .date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
const dateText = mostly(isoDate, fc.oneof(fc.constantFrom('', 'yesterday', '2026-13-01', '0'), queryText));
const rawQuery = fc.oneof(
  fc.constantFrom('', '&&', '=', 'a=1&a=2', '%zz', 'pageSize=1&pageSize=2', 'clientId=client-b'),
  unicodeText(40).map((text) => encodeURIComponent(text)),
);

/** Filters and paging of the listing; a cursor is the gateway's only by chance (it is opaque). */
export const listingQuery: fc.Arbitrary<string> = mostly(
  fc
    .record(
      {
        status: mostly(
          fc.constantFrom('pending', 'verified', 'expired', 'cancelled', 'failed'),
          fc.constantFrom('', 'VERIFIED', 'x'),
        ),
        channel: mostly(fc.constantFrom('sms', 'voice'), fc.constantFrom('fax', 'SMS', '')),
        country: mostly(fc.constantFrom('34', '+34', '1', '+44'), fc.constantFrom('0', '+', 'ES', '12345')),
        from: dateText,
        to: dateText,
        pageSize: mostly(
          fc.integer({ min: 1, max: 100 }).map(String),
          fc.constantFrom('0', '101', '-1', '1.5', 'ten', '99999'),
        ),
        cursor: mostly(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), queryText),
      },
      { requiredKeys: [] },
    )
    .map(encode),
  rawQuery,
);

/** A range (mostly within 92 days, sometimes longer or reversed) and a grouping. */
export const conversionQuery: fc.Arbitrary<string> = mostly(
  fc
    .record(
      {
        from: dateText,
        to: dateText,
        groupBy: mostly(fc.constantFrom('country', 'channel', 'provider'), fc.constantFrom('', 'day', 'x')),
      },
      { requiredKeys: ['from', 'to'] },
    )
    .map(encode),
  rawQuery,
);

/** The throttles' filter: mostly `*` or a client id, sometimes junk, a repeat or an unknown name. */
export const throttleQuery: fc.Arbitrary<string> = mostly(
  fc
    .record(
      { scope: mostly(fc.constantFrom('*', 'client-a', 'client-b', 'nobody'), queryText) },
      { requiredKeys: [] },
    )
    .map(encode),
  rawQuery,
);

/** `*`, a client id, or anything else (pathParameter percent-encodes every value). */
export const fraudScope: fc.Arbitrary<string> = pathParameter(
  fc.constantFrom('*', 'client-a', 'client-b', 'nobody'),
);

/** Blocked ranges and addresses: +prefixes, IPs and networks. */
export const blockTarget: fc.Arbitrary<string> = pathParameter(
  fc.oneof(
    fc.stringMatching(/^\+[1-9][0-9]{1,8}$/),
    fc.ipV4(),
    fc.ipV4().map((ip) => `${ip}/24`),
    fc.constantFrom('+', '+0', 'abc', '/'),
  ),
);

/** Allow-list entries: a +prefix or number, and what is not one. */
export const allowTarget: fc.Arbitrary<string> = pathParameter(
  mostly(
    fc.stringMatching(/^\+[1-9][0-9]{1,12}$/),
    fc.constantFrom('+', '34600', '+0123', '+1234567890123456'),
  ),
);

/** The allow-list entry's optional note. */
export const allowBody: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<BodyPlan>({ kind: 'none' }) },
  {
    weight: 5,
    arbitrary: bodyAround(
      fc.record(
        { note: mostly(fc.string({ maxLength: 200 }), fc.string({ minLength: 201, maxLength: 300 })) },
        { requiredKeys: [] },
      ),
    ),
  },
);
