import type { SealedSendPayload, SendJob } from '@otpflow/contracts';
import { codeStateOf, numbersCollection } from '@otpflow/mongo';
import type { Db } from 'mongodb';

/** Whether a job's code can still be used: its verification is live and the job is its current code. */
export type SessionState = 'live' | 'ended';

/** What the dead-letter replay and a later workflow step ask before sending a code again. */
export interface SessionLookup {
  stateOf(job: Pick<SendJob, 'jobId'>, payload: SealedSendPayload, now: Date): Promise<SessionState>;
}

/**
 * Reads a job's code in the gateway's `numbers` (docs/data-model.md). Tenant-safe: the code is found
 * through the address the job carries sealed (number, tenant and code keys, authenticated with the
 * job), and only its state is read, never the code's hash. A code that is gone, verified, canceled,
 * superseded, expired, out of attempts, or whose current job is another, is `ended`; so is a job that
 * names no address.
 */
export class MongoSessionLookup implements SessionLookup {
  constructor(private readonly db: Db) {}

  async stateOf(job: Pick<SendJob, 'jobId'>, payload: SealedSendPayload, now: Date): Promise<SessionState> {
    if (!payload.state) return 'ended';
    return codeStateOf(numbersCollection(this.db), payload.state, job.jobId, now);
  }
}
