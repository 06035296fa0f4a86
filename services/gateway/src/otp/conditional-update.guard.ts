import type { SessionDocument, SessionModel } from '@otpflow/mongo';
import { findForValidation, refusalFor, type AttemptGuard, type Reservation } from './attempt-guard.js';

/**
 * For MongoDB: one conditional update takes an attempt only from a pending, unexpired session of this
 * client that has attempts left, and returns the session in the same round trip. MongoDB applies it
 * atomically per document, so concurrent validations can never take more than the budget.
 */
export class ConditionalUpdateGuard implements AttemptGuard {
  readonly strategy = 'conditional-update';

  constructor(private readonly sessions: SessionModel) {}

  async reserve(authenticationId: string, clientId: string, now: Date): Promise<Reservation> {
    const session = await this.sessions
      .findOneAndUpdate(
        {
          _id: authenticationId,
          clientId,
          status: 'pending',
          expiresAt: { $gt: now },
          attemptsLeft: { $gt: 0 },
        },
        { $inc: { attemptsLeft: -1 } },
        // No projection: FerretDB's findAndModify does not take one (the whole session is small).
        { returnDocument: 'after' },
      )
      .lean<SessionDocument>()
      .exec();
    if (session) return { kind: 'reserved', session, attemptsLeftAfter: session.attemptsLeft };
    const current = await findForValidation(this.sessions, authenticationId, clientId);
    return { kind: 'refused', refusal: refusalFor(current, now) ?? 'exhausted', session: current };
  }

  /** Nothing to do: the conditional update already counted the attempt. */
  recordWrong(): Promise<void> {
    return Promise.resolve();
  }

  /** On MongoDB the session document is the truth. */
  current(session: SessionDocument): Promise<SessionDocument> {
    return Promise.resolve(session);
  }

  async finish(
    session: Pick<SessionDocument, '_id'>,
    status: 'verified' | 'canceled',
    now: Date,
  ): Promise<boolean> {
    const result = await this.sessions.updateOne(
      { _id: session._id, status: 'pending' },
      { $set: { status, endedAt: now } },
    );
    return result.modifiedCount === 1;
  }
}
