import type { Channel } from '@otpflow/contracts';
import type { Decision, SendFacts } from '@otpflow/fraud';
import type { OpenedJob } from '../consume/outcome.js';

/** A refusal of the fraud guard: a later workflow step it blocked or throttled. */
export type StepRefusal = Exclude<Decision, { action: 'allow' }>;

/**
 * What the guard is told about a later workflow step: the same number and tenant the gateway judged
 * the first step on (the line type and the tenant's thresholds travel sealed in the job), the step's
 * own channel, and the verification it belongs to, so the fraud event names it. No end-user address:
 * the request was counted against it once, at the gateway; a step is the platform's move, not the
 * end user's, while its destination costs again and is counted again.
 */
export function stepFacts({ job, payload }: OpenedJob, channel: Channel): SendFacts {
  const fraud = payload.fraud;
  return {
    clientId: job.clientId,
    e164: payload.to,
    countryCallingCode: job.countryCallingCode,
    lineType: fraud?.lineType,
    address: undefined,
    testNumber: job.test,
    tenant: fraud ? { thresholdScale: fraud.thresholdScale, minConversion: fraud.minConversion } : undefined,
    channel,
    authenticationId: job.authenticationId,
  };
}

/** The reason a refused step's delivery failed with (the signal is the fraud event's, not the code's). */
export const refusalReason = (refusal: StepRefusal) =>
  refusal.action === 'block' ? 'fraud_blocked' : 'fraud_throttled';
