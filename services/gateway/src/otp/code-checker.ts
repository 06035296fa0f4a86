import type { EventPublisher } from '@otpflow/amqp';
import type { SessionDocument } from '@otpflow/mongo';
import type { Principal } from '../auth/principal.js';
import type { AttemptGuard } from './attempt-guard.js';
import { normalizeCode, type CodeHasher, DIGITS_ONLY } from './code.js';
import { endedReason, eventOf, rejectionOf } from './verification-events.js';

/** What checking a code came to; each API turns it into its own answer. */
export type CheckOutcome =
  | { kind: 'verified'; session: SessionDocument }
  | { kind: 'wrong_code'; attemptsRemaining: number; session: SessionDocument }
  /** No attempts left: the last wrong code, or any code after it. */
  | { kind: 'exhausted'; session: SessionDocument }
  /** Verified before, superseded, canceled or expired. */
  | { kind: 'ended'; session: SessionDocument }
  | { kind: 'not_found' };

/**
 * Checks codes and ends sessions. A check takes one attempt from the session's budget before
 * comparing (the guard makes that atomic), compares in constant time, and ends the session through
 * the guard, which lets exactly one caller end it: one validation wins, and a cancel and a validation
 * racing cannot both succeed.
 */
export class CodeChecker {
  constructor(
    private readonly guard: AttemptGuard,
    private readonly hasher: CodeHasher,
    private readonly events: EventPublisher,
  ) {}

  async check(principal: Principal, authenticationId: string, code: string): Promise<CheckOutcome> {
    const now = new Date();
    const reservation = await this.guard.reserve(authenticationId, principal.clientId, now);
    if (reservation.kind === 'refused') {
      const { refusal, session } = reservation;
      if (refusal === 'not_found' || !session) return { kind: 'not_found' };
      if (refusal === 'exhausted') {
        this.events.emit(rejectionOf(session, 'max_attempts_exceeded'));
        return { kind: 'exhausted', session };
      }
      this.events.emit(rejectionOf(session, endedReason(session)));
      return { kind: 'ended', session };
    }

    const { session, attemptsLeftAfter } = reservation;
    const presented = normalizeCode(code, session.alphabet ?? DIGITS_ONLY);
    if (!this.hasher.matches(session._id, presented, session.codeHash)) {
      const exhausted = attemptsLeftAfter === 0;
      await this.guard.recordWrong(session, attemptsLeftAfter);
      this.events.emit(rejectionOf(session, exhausted ? 'max_attempts_exceeded' : 'invalid_otp'));
      return exhausted
        ? { kind: 'exhausted', session }
        : { kind: 'wrong_code', attemptsRemaining: attemptsLeftAfter, session };
    }
    if (!(await this.guard.finish(session, 'verified', now))) {
      // Another validation, or a cancel, ended it first.
      const ended = await this.guard.current(session);
      this.events.emit(rejectionOf(session, endedReason(ended)));
      return { kind: 'ended', session: ended };
    }
    // The metrics service knows when the code went out (from code.sent): no read on this hot path.
    this.events.emit(eventOf('code.verified', session));
    return { kind: 'verified', session: { ...session, status: 'verified', endedAt: now } };
  }

  /** The session as it truly stands, whatever the store. */
  current(session: SessionDocument): Promise<SessionDocument> {
    return this.guard.current(session);
  }

  /** Ends a pending session as canceled; false when it had already ended. */
  async cancel(session: SessionDocument): Promise<boolean> {
    if (session.status !== 'pending') return false;
    const canceled = await this.guard.finish(session, 'canceled', new Date());
    if (canceled) this.events.emit(eventOf('code.canceled', session));
    return canceled;
  }
}
