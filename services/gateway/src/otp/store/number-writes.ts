import type { CodeEntry, NumbersCollectionDocument } from '@otpflow/mongo';
import type { Filter, UpdateFilter } from 'mongodb';
import { windowOf } from '../number-rules.js';
import type { CodeRef, Issued, Reissue, SendRules, StoredCode } from '../session-store.js';

/**
 * The queries and updates of a number's document, as the MongoDB store sends them. Every one names
 * the document by `_id` (the shard key), and uses only what both MongoDB and FerretDB v1 apply:
 * dotted paths into sub-documents, `$inc`, `$set`, `$unset`, `$max`, `$or`, `$exists` (FerretDB has no
 * update pipelines, positional operators or array filters).
 */

export type NumberFilter = Filter<NumbersCollectionDocument>;
export type NumberUpdate = UpdateFilter<NumbersCollectionDocument>;

export const tenantPath = (tenantKey: string) => `tenants.${tenantKey}`;
export const codePath = (ref: Pick<CodeRef, 'tenantKey' | 'codeId'>) =>
  `tenants.${ref.tenantKey}.codes.${ref.codeId}`;

/** A field that is absent, or satisfies the condition. */
const absentOr = (field: string, condition: Record<string, unknown>) => ({
  $or: [{ [field]: { $exists: false } }, { [field]: condition }],
});

/** A send window a new code counts in: its counter's field, the previous window's, its end and cap. */
interface CountedWindow {
  field: string;
  previousField: string;
  end: number;
  max: number;
}

/**
 * The windows a new code counts in, the number's (if capped) and the tenant's, in the order `refusalOf`
 * checks them: worked out once per write, for both its conditions and its counters.
 */
function countedWindows(tenant: string, rules: SendRules, now: Date): CountedWindow[] {
  const counted = (prefix: string, windowSeconds: number, max: number): CountedWindow => {
    const window = windowOf(now, windowSeconds);
    return {
      field: `${prefix}.${window.key}`,
      previousField: `${prefix}.${window.previousKey}`,
      end: window.end.getTime(),
      max,
    };
  };
  const own = counted(`${tenant}.sends`, rules.tenant.windowSeconds, rules.tenant.max);
  return rules.msisdn ? [counted('sends', rules.msisdn.windowSeconds, rules.msisdn.max), own] : [own];
}

/**
 * The conditions a new code must meet, as a query: the same rules as `refusalOf`. A document that
 * fails them is not updated; an upsert then collides with it on `_id` (duplicate key), which is how
 * the store learns of a refusal without reading first.
 */
function admissionConditions(
  tenant: string,
  windows: readonly CountedWindow[],
  rules: SendRules,
  now: Date,
): NumberFilter[] {
  const conditions: NumberFilter[] = [absentOr(`${tenant}.lockedUntil`, { $lte: now })];
  for (const { field, max } of windows) conditions.push(absentOr(field, { $lt: max }));
  if (rules.cooldown) conditions.push(absentOr(`${tenant}.nextCodeAt`, { $lte: now }));
  return conditions;
}

/** The counters a new code increments, the previous windows' counters it removes, and the latest end. */
function counting(windows: readonly CountedWindow[]) {
  const increments: Record<string, number> = {};
  for (const { field } of windows) increments[field] = 1;
  const previous: Record<string, ''> = {};
  let removes = false;
  let lastEnd = 0;
  for (const { previousField, end } of windows) {
    if (!(previousField in increments)) {
      previous[previousField] = '';
      removes = true;
    }
    lastEnd = Math.max(lastEnd, end);
  }
  return { increments, previous: removes ? previous : undefined, lastEnd: new Date(lastEnd) };
}

function latest(first: Date, second: Date): Date {
  return first.getTime() >= second.getTime() ? first : second;
}

/** send-code's one write: the new code becomes the tenant's live one, every window counts it. */
export function issueWrite(
  ref: CodeRef,
  entry: CodeEntry,
  rules: SendRules,
  now: Date,
): { filter: NumberFilter; update: NumberUpdate; windows: string[] } {
  const tenant = tenantPath(ref.tenantKey);
  const windows = countedWindows(tenant, rules, now);
  const { increments, previous, lastEnd } = counting(windows);
  const update: NumberUpdate = {
    $inc: increments,
    $set: {
      [`${tenant}.live`]: ref.codeId,
      [`${tenant}.nextCodeAt`]: new Date(now.getTime() + rules.nextCodeAfterSeconds * 1000),
      [codePath(ref)]: entry,
    },
    $max: { purgeAt: latest(entry.purgeAt, lastEnd) },
  };
  if (previous) update.$unset = previous;
  return {
    filter: { _id: ref.numberKey, $and: admissionConditions(tenant, windows, rules, now) },
    update,
    windows: windows.map(({ field }) => field),
  };
}

/**
 * A resend's one write, only from the state it read (the same live code and job): the code's hash and
 * delivery fields change, the attempts already used stay used (nothing writes `attemptsLeft`).
 */
export function reissueWrite(
  code: StoredCode,
  next: Reissue,
  rules: SendRules,
  now: Date,
): { filter: NumberFilter; update: NumberUpdate; windows: string[] } {
  const { ref, entry } = code;
  const path = codePath(ref);
  const tenant = tenantPath(ref.tenantKey);
  const windows = countedWindows(tenant, rules, now);
  const { increments, previous, lastEnd } = counting(windows);
  const { charge, ...fields } = next;
  const update: NumberUpdate = {
    $inc: { ...increments, [`${path}.sends`]: 1 },
    $set: {
      ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [`${path}.${name}`, value])),
      ...(charge ? { [`${path}.charge`]: charge } : {}),
      [`${tenant}.nextCodeAt`]: new Date(now.getTime() + rules.nextCodeAfterSeconds * 1000),
    },
    $max: { purgeAt: latest(next.purgeAt, lastEnd) },
  };
  const unset: Record<string, ''> = { ...previous, ...(charge ? {} : { [`${path}.charge`]: '' as const }) };
  if (Object.keys(unset).length > 0) update.$unset = unset;
  return {
    filter: {
      _id: ref.numberKey,
      [`${tenant}.live`]: ref.codeId,
      [`${path}.jobId`]: entry.jobId,
      [`${path}.status`]: 'pending',
      $and: admissionConditions(tenant, windows, rules, now),
    },
    update,
    windows: windows.map(({ field }) => field),
  };
}

/**
 * Undoes a code whose job could not be published: the counters it took are given back, and the
 * tenant's part goes back to its live code and cooldown from before (a new code's entry is removed; a
 * resent one gets its previous code back). Only if nothing replaced it meanwhile.
 */
export function withdrawWrite(issued: Issued): { filter: NumberFilter; update: NumberUpdate } {
  const { ref, entry } = issued.code;
  const tenant = tenantPath(ref.tenantKey);
  const path = codePath(ref);
  const { before } = issued;
  const set: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  const inc: Record<string, number> = Object.fromEntries(issued.windows.map((field) => [field, -1]));
  if (before.resent) {
    const { charge, ...fields } = before.resent;
    for (const [name, value] of Object.entries(fields)) set[`${path}.${name}`] = value;
    if (charge) set[`${path}.charge`] = charge;
    else unset[`${path}.charge`] = '';
    inc[`${path}.sends`] = -1;
  } else {
    unset[path] = '';
    if (before.live) set[`${tenant}.live`] = before.live;
    else unset[`${tenant}.live`] = '';
  }
  if (before.nextCodeAt) set[`${tenant}.nextCodeAt`] = before.nextCodeAt;
  else unset[`${tenant}.nextCodeAt`] = '';
  const update: NumberUpdate = { $inc: inc };
  if (Object.keys(set).length > 0) update.$set = set;
  if (Object.keys(unset).length > 0) update.$unset = unset;
  return { filter: { _id: ref.numberKey, [`${path}.jobId`]: entry.jobId }, update };
}

/**
 * After the attempt that spent a code's last one (VERIFICATION_FAILED): no new code for this number and
 * tenant before `until` (none: no lockout), and the entry says it has no attempts left (on FerretDB a
 * mirror of the claims, so later checks need not find every claim to know).
 */
export function exhaustedWrite(
  ref: CodeRef,
  until: Date | undefined,
): { filter: NumberFilter; update: NumberUpdate } {
  const update: NumberUpdate = { $set: { [`${codePath(ref)}.attemptsLeft`]: 0 } };
  if (until) update.$max = { [`${tenantPath(ref.tenantKey)}.lockedUntil`]: until, purgeAt: until };
  return { filter: { _id: ref.numberKey }, update };
}

/** The fields a read of one code needs: its entry and whether it is live (MongoDB projects; FerretDB cannot in findAndModify). */
export function codeProjection(ref: CodeRef): Record<string, 1> {
  const tenant = tenantPath(ref.tenantKey);
  return { [`${tenant}.live`]: 1, [`${tenant}.nextCodeAt`]: 1, [codePath(ref)]: 1 };
}

/** What the rules of a new code read: the number's windows and the tenant's whole part. */
export function rulesProjection(tenantKey: string): Record<string, 1> {
  return { sends: 1, [tenantPath(tenantKey)]: 1 };
}
