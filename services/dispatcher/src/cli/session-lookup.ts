import type { SendJob } from '@otpflow/contracts';
import { sessionModel, typedCollection } from '@otpflow/mongo';
import type { Connection } from 'mongoose';

/** Whether a job's code can still be used: its session is live and the job is its current code. */
export type SessionState = 'live' | 'ended';

/** What the dead-letter replay asks before sending a code again. */
export interface SessionLookup {
  stateOf(job: Pick<SendJob, 'authenticationId' | 'clientId' | 'jobId'>, now: Date): Promise<SessionState>;
}

/**
 * Reads a job's session from the gateway's collection. Tenant-safe: the session is looked up by the
 * job's own authenticated ids (authenticationId and clientId, both bound to the sealed job), and only
 * its state is read, never the number or the code's hash. A session that is gone, verified, canceled,
 * superseded, expired, out of attempts, or whose current code is another job's, is `ended`.
 */
export class MongoSessionLookup implements SessionLookup {
  constructor(private readonly connection: Connection) {}

  async stateOf(
    job: Pick<SendJob, 'authenticationId' | 'clientId' | 'jobId'>,
    now: Date,
  ): Promise<SessionState> {
    const session = await typedCollection(sessionModel(this.connection)).findOne(
      { _id: job.authenticationId, clientId: job.clientId },
      { projection: { status: 1, expiresAt: 1, attemptsLeft: 1, jobId: 1 } },
    );
    const live =
      session?.status === 'pending' &&
      session.expiresAt > now &&
      session.attemptsLeft > 0 &&
      session.jobId === job.jobId;
    return live ? 'live' : 'ended';
  }
}
