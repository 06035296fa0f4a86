import {
  tryClaim,
  typedCollection,
  type ClaimModel,
  type SessionDocument,
  type SessionModel,
} from '@otpflow/mongo';
import { findForValidation, refusalFor, type AttemptGuard, type Reservation } from './attempt-guard.js';

/**
 * For stores whose updates are not atomic (FerretDB v1 reads, modifies and writes a document without
 * isolation: concurrent conditional updates all "succeed", and a write can undo a concurrent one).
 * Every decision that must hold under concurrency is made by inserting a claim, which is atomic on
 * every store:
 * - each comparison first claims a numbered attempt slot, `<id>#attempt#<n>` for n = 1..maxAttempts;
 * - a session ends (verified or canceled) only by inserting `<id>#final`, which records how.
 * The session's own `status` and `attemptsLeft` are mirrors that a racing write may clobber, so they
 * are read through `current`, which takes the truth from the claims.
 */
export class ClaimsGuard implements AttemptGuard {
  readonly strategy = 'claims';

  constructor(
    private readonly sessions: SessionModel,
    private readonly claims: ClaimModel,
  ) {}

  async current(session: SessionDocument): Promise<SessionDocument> {
    if (session.status !== 'pending') return session;
    const claims = typedCollection(this.claims);
    const [final, used] = await Promise.all([
      claims.findOne({ _id: `${session._id}#final` }),
      // '$' sorts right after '#': the range holds exactly the attempt slots of this session.
      claims.countDocuments({ _id: { $gt: `${session._id}#attempt#`, $lt: `${session._id}#attempt$` } }),
    ]);
    const status =
      final?.status === 'verified' || final?.status === 'canceled' ? final.status : session.status;
    return { ...session, status, attemptsLeft: Math.min(session.attemptsLeft, session.maxAttempts - used) };
  }

  /**
   * Reads the session, then claims the first free attempt slot. The session's `attemptsLeft` (kept
   * as a hint by `recordWrong`) says where to start; a stale hint costs an extra insert, never an
   * extra comparison. An ended session is refused on its `status` mirror; in the rare race where the
   * mirror lags, `finish` still lets only one caller end it.
   */
  async reserve(authenticationId: string, clientId: string, now: Date): Promise<Reservation> {
    const session = await findForValidation(this.sessions, authenticationId, clientId);
    const refusal = refusalFor(session, now);
    if (refusal || !session) return { kind: 'refused', refusal: refusal ?? 'not_found', session };

    for (let slot = session.maxAttempts - session.attemptsLeft + 1; slot <= session.maxAttempts; slot += 1) {
      if (await tryClaim(this.claims, `${session._id}#attempt#${slot}`, session.purgeAt)) {
        return { kind: 'reserved', session, attemptsLeftAfter: session.maxAttempts - slot };
      }
    }
    await this.recordWrong(session, 0);
    return { kind: 'refused', refusal: 'exhausted', session: { ...session, attemptsLeft: 0 } };
  }

  /** Moves the hint on, so the next check starts at the right slot. */
  async recordWrong(session: Pick<SessionDocument, '_id'>, attemptsLeftAfter: number): Promise<void> {
    await this.sessions.updateOne({ _id: session._id }, { $min: { attemptsLeft: attemptsLeftAfter } });
  }

  /** Whoever inserts `<id>#final` ends the session; a validation and a cancel race for the same claim. */
  async finish(
    session: Pick<SessionDocument, '_id' | 'purgeAt'>,
    status: 'verified' | 'canceled',
    now: Date,
  ): Promise<boolean> {
    if (!(await tryClaim(this.claims, `${session._id}#final`, session.purgeAt, { status }))) return false;
    await this.sessions.updateOne({ _id: session._id }, { $set: { status, endedAt: now } });
    return true;
  }
}
