import type { Channel } from '@otpflow/contracts';
import type { Decision, SendFacts } from '@otpflow/fraud';
import type { OpenedJob, Outcome } from '../consume/outcome.js';
import { stepOf, type StepPlan } from './workflow-plan.js';

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

/**
 * The later step an outcome ends without sending it, once the guard counted it (at its first
 * attempt, allowed or only reported): it failed for good (every provider refused, dead-lettered or on
 * to the next step), or a retry found its code expired or no longer pending. The guard takes it back
 * out of its counts, as the gateway does for a send stopped after the guard: never sent, it would
 * inflate its ranges' velocity and deflate their conversion.
 */
export function unsentCountedStep(outcome: Outcome, smsFallbackToVoice: boolean): StepPlan | undefined {
  if (!('opened' in outcome)) return undefined;
  const failedForGood = outcome.type === 'dead_lettered' || outcome.type === 'next_step';
  const endedOnRetry =
    (outcome.type === 'expired' || outcome.type === 'step_canceled') && outcome.opened.attempt.attempt > 1;
  if (!failedForGood && !endedOnRetry) return undefined;
  const plan = stepOf(outcome.opened.job, outcome.opened.attempt, smsFallbackToVoice);
  return plan && plan.index > 0 ? plan : undefined;
}
