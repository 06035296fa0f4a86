import type { OtpEventInput, SendJob } from '@otpflow/contracts';
import type { Failed, OpenedJob } from './outcome.js';

/** The lifecycle events of a job: its identity and bounded dimensions, never the number or the code. */
export function eventOf(job: SendJob, type: OtpEventInput['type']): OtpEventInput {
  return {
    type,
    authenticationId: job.authenticationId,
    clientId: job.clientId,
    channel: job.channel,
    countryCallingCode: job.countryCallingCode,
    requestedAt: job.createdAt,
  };
}

export const providerOf = (result: Failed) => (result.provider ? { provider: result.provider } : {});

/** The event of a failed attempt (retried, failed, dead-lettered), with the attempt and the reason. */
export const failureEvent = (
  { job, attempt }: OpenedJob,
  type: 'code.retried' | 'code.failed' | 'code.dead_lettered',
  reason: string,
  result: Failed,
): OtpEventInput => ({
  ...eventOf(job, type),
  // The channel of the step that failed (a workflow's later step may be a call).
  channel: result.channel,
  attempt: attempt.attempt,
  reason,
  ...providerOf(result),
});
