import type { SessionDocument, SessionModel } from '@otpflow/mongo';

/**
 * Why a validation cannot even compare a code: the session does not exist (for this client), it has
 * ended (verified, superseded, canceled or past its expiry), or it has no comparisons left.
 */
export type Refusal = 'not_found' | 'ended' | 'exhausted';

export type Reservation =
  | { kind: 'reserved'; session: SessionDocument; attemptsLeftAfter: number }
  | { kind: 'refused'; refusal: Refusal; session: SessionDocument | null };

/**
 * The guard on the attempt budget of a session. `reserve` takes one comparison from the budget
 * atomically, before the code is compared, so no amount of concurrency buys more comparisons than
 * `maxAttempts`; `finish` ends a pending session (verified, or canceled) and is true for exactly one
 * caller, so a code validates at most once and a canceled verification never validates.
 */
export interface AttemptGuard {
  readonly strategy: 'conditional-update' | 'claims';
  reserve(authenticationId: string, clientId: string, now: Date): Promise<Reservation>;
  /** After a wrong code: whatever the strategy keeps besides the reservation itself. */
  recordWrong(session: Pick<SessionDocument, '_id'>, attemptsLeftAfter: number): Promise<void>;
  /** The session as it truly stands (status, attempts left), for answers that show it. */
  current(session: SessionDocument): Promise<SessionDocument>;
  finish(
    session: Pick<SessionDocument, '_id' | 'purgeAt'>,
    status: 'verified' | 'canceled',
    now: Date,
  ): Promise<boolean>;
}

/** The fields a validation needs: never more than that leaves the database. */
export const VALIDATION_PROJECTION = {
  _id: 1,
  clientId: 1,
  codeHash: 1,
  status: 1,
  maxAttempts: 1,
  attemptsLeft: 1,
  expiresAt: 1,
  purgeAt: 1,
  channel: 1,
  countryCallingCode: 1,
  createdAt: 1,
  alphabet: 1,
  jobId: 1,
} as const;

/** Explains a session that could not be reserved (or decides, for the claims guard). */
export function refusalFor(session: SessionDocument | null, now: Date): Refusal | undefined {
  if (!session) return 'not_found';
  if (session.status !== 'pending' || session.expiresAt <= now) return 'ended';
  if (session.attemptsLeft <= 0) return 'exhausted';
  return undefined;
}

export async function findForValidation(
  sessions: SessionModel,
  authenticationId: string,
  clientId: string,
): Promise<SessionDocument | null> {
  return sessions
    .findOne({ _id: authenticationId, clientId }, VALIDATION_PROJECTION)
    .lean<SessionDocument>()
    .exec();
}
