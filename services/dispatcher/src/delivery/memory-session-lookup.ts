import type { SendJob } from '@otpflow/contracts';
import type { SessionLookup, SessionState } from './session-lookup.js';

/** The lookup in memory, for component tests: every code is live until the test ends it. */
export class MemorySessionLookup implements SessionLookup {
  private readonly ended = new Set<string>();
  /** Job ids whose state was asked, in order. */
  readonly asked: string[] = [];
  failWith: Error | undefined;

  /** The job's code is verified, canceled or superseded from now on. */
  end(jobId: string): void {
    this.ended.add(jobId);
  }

  stateOf(job: Pick<SendJob, 'jobId'>): Promise<SessionState> {
    this.asked.push(job.jobId);
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(this.ended.has(job.jobId) ? 'ended' : 'live');
  }
}
