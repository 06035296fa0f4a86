import { isDuplicateKeyError, numberDocumentOf, type CodeClaim } from '@otpflow/mongo';
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
 * - a check reads the document, compares (in constant time), and inserts its outcome (`wrong` or
 *   `verified`) at slot 1; a slot already taken is read, and the next one tried. Slots 1..maxAttempts
 *   bound the comparisons;
 * - a cancel inserts `canceled` the same way (at any slot);
 * - a request inserts a claim only once it has read every lower slot's, so the one that holds a
 *   `verified` or `canceled` slot is seen by every later one: a code verifies once, and a cancel and a
 *   verification never both win.
 * Every read and insert names one `_id` (what FerretDB serves without scanning the collection). The
 * claims are the truth: the entry's `status` is never rewritten, its `attemptsLeft` only set to 0 by
 * the check that spent the last attempt (so later checks need not read every claim to know).
 */
export class ClaimsGuard implements AttemptGuard {
  readonly strategy = 'claims';

  constructor(private readonly context: GuardContext) {}

  async read(ref: CodeRef): Promise<StoredCode | undefined> {
    const code = await this.entry(ref);
    if (!code) return undefined;
    // Every claim up to the first free slot, or up to an ending one (nothing above it counts).
    let current = code;
    for (let slot = 1; current.status === 'pending'; slot += 1) {
      const claim = await this.claimAt(ref, slot);
      if (!claim) break;
      current = withClaim(current, slot, claim);
    }
    return current;
  }

  async check(ref: CodeRef, presented: string, now: Date): Promise<CheckResult> {
    let code = await this.entry(ref);
    if (!code) return { kind: 'not_found' };
    for (let slot = 1; ; slot += 1) {
      const standing = standingOf(code, now);
      if (standing === 'gone') return { kind: 'not_found' };
      if (standing === 'ended') return { kind: 'ended', code };
      if (standing === 'exhausted' || slot > code.entry.maxAttempts)
        return { kind: 'exhausted', code: { ...code, attemptsLeft: 0 }, spentNow: false };
      const right = matchesHash(presented, code.entry.hash);
      if (await this.claim(ref, slot, right ? 'verified' : 'wrong', code, now)) {
        const attemptsLeft = code.entry.maxAttempts - slot;
        if (right) {
          const entry = { ...code.entry, status: 'verified' as const, endedAt: now };
          return { kind: 'verified', code: { ...code, entry, status: 'verified', attemptsLeft } };
        }
        if (attemptsLeft > 0) return { kind: 'wrong', code: { ...code, attemptsLeft } };
        await lockOut(this.context, ref, now);
        return { kind: 'exhausted', code: { ...code, attemptsLeft: 0 }, spentNow: true };
      }
      // The slot is another request's: read what it holds before trying the next one.
      code = withClaim(code, slot, await this.heldClaim(ref, slot));
    }
  }

  async cancel(ref: CodeRef, now: Date): Promise<CancelResult> {
    let code = await this.entry(ref);
    if (!code || standingOf(code, now) === 'gone') return { kind: 'not_found' };
    for (let slot = 1; ; slot += 1) {
      if (code.status !== 'pending' || !code.live) return { kind: 'ended', code };
      if (await this.claim(ref, slot, 'canceled', code, now)) {
        const entry = { ...code.entry, status: 'canceled' as const, endedAt: now };
        return { kind: 'canceled', code: { ...code, entry, status: 'canceled' } };
      }
      code = withClaim(code, slot, await this.heldClaim(ref, slot));
    }
  }

  /** The code's entry, from its number's document alone. */
  private async entry(ref: CodeRef): Promise<StoredCode | undefined> {
    const document = await this.context.collection.findOne(
      { _id: ref.numberKey },
      { projection: codeProjection(ref) },
    );
    return storedCodeOf(numberDocumentOf(document), ref);
  }

  /** The claim of a slot an insert found taken (claims are never removed while their code lives). */
  private async heldClaim(ref: CodeRef, slot: number): Promise<CodeClaim> {
    const claim = await this.claimAt(ref, slot);
    if (!claim) throw new Error(`the claim of slot ${slot} of a live code is gone`);
    return claim;
  }

  private async claimAt(ref: CodeRef, slot: number): Promise<CodeClaim | undefined> {
    const claim = await this.context.collection.findOne({ _id: claimId(ref, slot) });
    return claim && 'outcome' in claim ? claim : undefined;
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
      _id: claimId(ref, slot),
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

function claimId(ref: CodeRef, slot: number): string {
  return `${ref.numberKey}~${ref.codeId}~${slot}`;
}

/**
 * The code once the claim of `slot` is known: an ending claim ends it; a `wrong` one means slots
 * 1..slot were all comparisons (an ending claim would have stopped the count before it).
 */
function withClaim(code: StoredCode, slot: number, claim: CodeClaim): StoredCode {
  if (claim.outcome === 'wrong') {
    return { ...code, attemptsLeft: Math.max(0, Math.min(code.attemptsLeft, code.entry.maxAttempts - slot)) };
  }
  return {
    ...code,
    status: claim.outcome,
    entry: { ...code.entry, status: claim.outcome, endedAt: claim.at },
  };
}
