import { attemptHeaders, parseSendJob, type JobKey } from '@otpflow/contracts';
import type { DeliveryDocument } from '@otpflow/mongo';
import { JOB_HEADERS } from '../consume/job-headers.js';
import type { JobSource } from '../consume/job-source.js';
import type { NextStepStarter } from '../receipts/receipt-recorder.js';
import { firstAttemptOf } from './workflow-plan.js';

/**
 * Starts a workflow's next step now (an undelivered receipt): the job the delivery record kept, signed
 * as the step's first attempt, back on the work queue. The dispatcher that takes it checks the code is
 * still pending; if the step's timer fires too, the step's lease makes it a duplicate.
 */
export class StepStarter implements NextStepStarter {
  constructor(
    private readonly jobs: Pick<JobSource, 'enqueue'>,
    private readonly keys: readonly JobKey[],
  ) {}

  async start(next: NonNullable<DeliveryDocument['nextStep']>): Promise<void> {
    const body = Buffer.from(next.job);
    const { jobId } = parseSendJob(body);
    await this.jobs.enqueue(body, {
      ...attemptHeaders(jobId, firstAttemptOf(next.step, { attempt: 1, run: next.run }), this.keys),
      [JOB_HEADERS.jobId]: jobId,
      [JOB_HEADERS.reason]: 'receipt_undelivered',
    });
  }
}
