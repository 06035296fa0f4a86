import { numberDocumentOf } from '@otpflow/mongo';
import { standingOf, storedCodeOf } from '../number-rules.js';
import type { CancelResult, CheckResult, CodeRef, StoredCode } from '../session-store.js';
import { lockOut, type AttemptGuard, type GuardContext } from './attempt-guard.js';
import {
  codePath,
  codeProjection,
  tenantPath,
  type NumberFilter,
  type NumberUpdate,
} from './number-writes.js';

/**
 * For MongoDB, which applies a conditional update to one document atomically. A check is first one
 * update that matches only a takeable code whose stored hash is the presented code's, and takes the
 * attempt and verifies it in the same write: a right code costs one command. If that misses, a second
 * update takes an attempt from a takeable code: a wrong code is counted in one atomic write. No
 * interleaving takes more than `maxAttempts` attempts or verifies twice. (The server compares HMAC
 * outputs of a key it does not have: timing says nothing about the code.)
 */
export class ConditionalUpdateGuard implements AttemptGuard {
  readonly strategy = 'conditional-update';

  constructor(private readonly context: GuardContext) {}

  async read(ref: CodeRef): Promise<StoredCode | undefined> {
    const document = await this.context.collection.findOne(
      { _id: ref.numberKey },
      { projection: codeProjection(ref) },
    );
    return storedCodeOf(numberDocumentOf(document), ref);
  }

  async check(ref: CodeRef, presented: string, now: Date, round = 0): Promise<CheckResult> {
    const path = codePath(ref);
    const takeable = this.takeable(ref, now);
    const verified = await this.update(
      { ...takeable, [`${path}.hash`]: presented },
      {
        $inc: { [`${path}.attemptsLeft`]: -1 },
        $set: { [`${path}.status`]: 'verified', [`${path}.endedAt`]: now },
      },
      ref,
    );
    if (verified) {
      const entry = { ...verified.entry, status: 'verified' as const, endedAt: now };
      return {
        kind: 'verified',
        code: { ...verified, entry, status: 'verified', attemptsLeft: verified.attemptsLeft - 1 },
      };
    }
    const taken = await this.update(takeable, { $inc: { [`${path}.attemptsLeft`]: -1 } }, ref);
    if (taken) {
      const code = { ...taken, attemptsLeft: taken.attemptsLeft - 1 };
      if (code.attemptsLeft > 0) return { kind: 'wrong', code };
      await lockOut(this.context, ref, now);
      return { kind: 'exhausted', code, spentNow: true };
    }
    const current = await this.read(ref);
    if (!current) return { kind: 'not_found' };
    const standing = standingOf(current, now);
    if (standing === 'gone') return { kind: 'not_found' };
    if (standing === 'exhausted') return { kind: 'exhausted', code: current, spentNow: false };
    // Ended; or takeable again (a resend landed between the updates and the read): no attempt was taken.
    if (standing === 'ended' || round >= 2) return { kind: 'ended', code: current };
    return this.check(ref, presented, now, round + 1);
  }

  async cancel(ref: CodeRef, now: Date): Promise<CancelResult> {
    const path = codePath(ref);
    const canceled = await this.update(
      {
        _id: ref.numberKey,
        [`${tenantPath(ref.tenantKey)}.live`]: ref.codeId,
        [`${path}.status`]: 'pending',
      },
      { $set: { [`${path}.status`]: 'canceled', [`${path}.endedAt`]: now } },
      ref,
    );
    if (canceled) {
      const entry = { ...canceled.entry, status: 'canceled' as const, endedAt: now };
      return { kind: 'canceled', code: { ...canceled, entry, status: 'canceled' } };
    }
    const current = await this.read(ref);
    if (!current || standingOf(current, now) === 'gone') return { kind: 'not_found' };
    return { kind: 'ended', code: current };
  }

  /** A live, pending, unexpired code with attempts left. */
  private takeable(ref: CodeRef, now: Date): NumberFilter {
    const path = codePath(ref);
    return {
      _id: ref.numberKey,
      [`${tenantPath(ref.tenantKey)}.live`]: ref.codeId,
      [`${path}.status`]: 'pending',
      [`${path}.expiresAt`]: { $gt: now },
      [`${path}.attemptsLeft`]: { $gt: 0 },
    };
  }

  /** The code as it was before the update, if the update matched. */
  private async update(
    filter: NumberFilter,
    update: NumberUpdate,
    ref: CodeRef,
  ): Promise<StoredCode | undefined> {
    const before = await this.context.collection.findOneAndUpdate(filter, update, {
      returnDocument: 'before',
      ...(this.context.capabilities.findAndModifyProjection ? { projection: codeProjection(ref) } : {}),
    });
    return storedCodeOf(numberDocumentOf(before), ref);
  }
}
