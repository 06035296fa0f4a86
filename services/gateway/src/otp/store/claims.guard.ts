import { isCodeClaim, isDuplicateKeyError, numberDocumentOf, type CodeClaim } from '@otpflow/mongo';
import { matchesHash } from '../code.js';
import { standingOf, storedCodeOf } from '../number-rules.js';
import type { CancelResult, CheckResult, CodeRef, StoredCode } from '../session-store.js';
import { lockOut, type AttemptGuard, type GuardContext } from './attempt-guard.js';
import { codeProjection } from './number-writes.js';

/** The longest validity a code can have: claims outlive a code resent late in its life by this much. */
const MAX_VALIDITY_MS = 86_400_000;

/**
 * For stores whose updates are not isolated (FerretDB v1 reads, modifies and writes a document without
 * locking: concurrent conditional updates all "succeed"). The one atomic decision such a store offers
 * is inserting a unique `_id`, so each comparison, and each ending, is a claim on a numbered slot of
 * the code, `<numberKey>~<codeId>~<slot>`, kept in `numbers` beside the document:
 * - a check reads the document and the code's claims in one `find`, compares (in constant time), and
 *   inserts its outcome (`wrong` or `verified`) at the lowest slot it did not see; slots
 *   1..maxAttempts bound the comparisons;
 * - a cancel inserts `canceled` the same way (at any slot);
 * - a claim is only ever inserted by a request that saw every lower slot, so the one that holds a
 *   `verified` or `canceled` slot is seen by every later one: a code verifies once, and a cancel and a
 *   verification never both win. A request that loses a slot to another reads again.
 * The claims are the truth: the code entry's `status` and `attemptsLeft` are never rewritten.
 */
export class ClaimsGuard implements AttemptGuard {
  readonly strategy = 'claims';

  constructor(private readonly context: GuardContext) {}

  async read(ref: CodeRef): Promise<StoredCode | undefined> {
    return (await this.readWithClaims(ref))?.code;
  }

  async check(ref: CodeRef, presented: string, now: Date): Promise<CheckResult> {
    for (;;) {
      const found = await this.readWithClaims(ref);
      if (!found) return { kind: 'not_found' };
      const { code, taken } = found;
      const standing = standingOf(code, now);
      if (standing === 'gone') return { kind: 'not_found' };
      if (standing === 'ended') return { kind: 'ended', code };
      const slot = lowestFree(taken);
      if (standing === 'exhausted' || slot > code.entry.maxAttempts)
        return { kind: 'exhausted', code: { ...code, attemptsLeft: 0 }, spentNow: false };
      const right = matchesHash(presented, code.entry.hash);
      if (!(await this.claim(ref, slot, right ? 'verified' : 'wrong', code, now))) continue;
      const attemptsLeft = code.entry.maxAttempts - slot;
      if (right) {
        const entry = { ...code.entry, status: 'verified' as const, endedAt: now };
        return { kind: 'verified', code: { ...code, entry, status: 'verified', attemptsLeft } };
      }
      if (attemptsLeft > 0) return { kind: 'wrong', code: { ...code, attemptsLeft } };
      await lockOut(this.context, ref, now);
      return { kind: 'exhausted', code: { ...code, attemptsLeft: 0 }, spentNow: true };
    }
  }

  async cancel(ref: CodeRef, now: Date): Promise<CancelResult> {
    for (;;) {
      const found = await this.readWithClaims(ref);
      if (!found || standingOf(found.code, now) === 'gone') return { kind: 'not_found' };
      const { code, taken } = found;
      if (code.status !== 'pending' || !code.live) return { kind: 'ended', code };
      if (!(await this.claim(ref, lowestFree(taken), 'canceled', code, now))) continue;
      const entry = { ...code.entry, status: 'canceled' as const, endedAt: now };
      return { kind: 'canceled', code: { ...code, entry, status: 'canceled' } };
    }
  }

  /** The document's code and its claims, read together; the claims decide status and attempts. */
  private async readWithClaims(
    ref: CodeRef,
  ): Promise<{ code: StoredCode; taken: Map<number, CodeClaim> } | undefined> {
    const prefix = claimPrefix(ref);
    const documents = await this.context.collection
      .find(
        { $or: [{ _id: ref.numberKey }, { _id: { $gt: prefix, $lt: `${prefix}\x7f` } }] },
        { projection: { ...codeProjection(ref), outcome: 1, at: 1 } },
      )
      .toArray();
    const document = documents.find((candidate) => candidate._id === ref.numberKey);
    const code = storedCodeOf(numberDocumentOf(document ?? null), ref);
    if (!code) return undefined;
    const taken = new Map<number, CodeClaim>();
    for (const claim of documents.filter((candidate): candidate is CodeClaim => isCodeClaim(candidate)))
      taken.set(Number(claim._id.slice(prefix.length)), claim);
    return { code: withClaims(code, taken), taken };
  }

  /** Inserts the claim of a slot; false when another request holds it. */
  private async claim(
    ref: CodeRef,
    slot: number,
    outcome: CodeClaim['outcome'],
    code: StoredCode,
    now: Date,
  ): Promise<boolean> {
    const claim: CodeClaim = {
      _id: `${claimPrefix(ref)}${slot}`,
      outcome,
      at: now,
      purgeAt: new Date(code.entry.purgeAt.getTime() + MAX_VALIDITY_MS),
    };
    try {
      await this.context.collection.insertOne(claim);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

function claimPrefix(ref: CodeRef): string {
  return `${ref.numberKey}~${ref.codeId}~`;
}

/** The lowest slot no claim seen holds. */
function lowestFree(taken: ReadonlyMap<number, CodeClaim>): number {
  let slot = 1;
  while (taken.has(slot)) slot += 1;
  return slot;
}

/** The code as its claims say it stands: an ending claim ends it, every comparison used an attempt. */
function withClaims(code: StoredCode, taken: ReadonlyMap<number, CodeClaim>): StoredCode {
  let status = code.status;
  let compared = 0;
  let endedAt: Date | undefined;
  for (const claim of taken.values()) {
    if (claim.outcome !== 'canceled') compared += 1;
    if (claim.outcome !== 'wrong' && status === 'pending') {
      status = claim.outcome;
      endedAt = claim.at;
    }
  }
  const attemptsLeft = Math.max(0, Math.min(code.entry.attemptsLeft, code.entry.maxAttempts - compared));
  const entry = endedAt ? { ...code.entry, status, endedAt } : code.entry;
  return { ...code, entry, status, attemptsLeft };
}
