import { tryClaim, type ClaimModel, type SessionDocument, type SessionModel } from '@otpflow/mongo';
import { findForValidation, refusalFor, type AttemptGuard, type Reservation } from './attempt-guard.js';

/**
 * For stores whose conditional updates are not atomic (FerretDB): each comparison must first claim a
 * numbered attempt slot (`<id>#attempt#<n>`, n = 1..maxAttempts) by inserting it, and a validation
 * succeeds only by inserting `<id>#verified`. Unique inserts are atomic everywhere, so the budget holds
 * under any concurrency. The session's `attemptsLeft` is kept as a hint (it tells where to start
 * looking for a free slot and what the status API shows); the claims are the truth.
 */
export class ClaimsGuard implements AttemptGuard {
  readonly strategy = 'claims';

  constructor(
    private readonly sessions: SessionModel,
    private readonly claims: ClaimModel,
  ) {}

  async reserve(authenticationId: string, clientId: string, now: Date): Promise<Reservation> {
    const session = await findForValidation(this.sessions, authenticationId, clientId);
    const refusal = refusalFor(session, now);
    if (refusal || !session) return { kind: 'refused', refusal: refusal ?? 'not_found', session };

    const firstFreeSlot = session.maxAttempts - session.attemptsLeft + 1;
    for (let slot = firstFreeSlot; slot <= session.maxAttempts; slot += 1) {
      if (await tryClaim(this.claims, `${session._id}#attempt#${slot}`, session.purgeAt)) {
        const attemptsLeftAfter = session.maxAttempts - slot;
        await this.sessions.updateOne({ _id: session._id }, { $min: { attemptsLeft: attemptsLeftAfter } });
        return { kind: 'reserved', session, attemptsLeftAfter };
      }
    }
    await this.sessions.updateOne({ _id: session._id }, { $set: { attemptsLeft: 0 } });
    return { kind: 'refused', refusal: 'exhausted', session };
  }

  async consume(session: SessionDocument, now: Date): Promise<boolean> {
    if (!(await tryClaim(this.claims, `${session._id}#verified`, session.purgeAt))) return false;
    await this.sessions.updateOne({ _id: session._id }, { $set: { status: 'verified', endedAt: now } });
    return true;
  }
}
