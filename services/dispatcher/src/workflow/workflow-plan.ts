import { stepTierMs } from '@otpflow/amqp';
import type { Channel, JobAttempt, SendJob, Workflow } from '@otpflow/contracts';

/** Where a job message stands in its workflow: the step it delivers, and whether another follows. */
export interface StepPlan {
  /** 0-based. */
  index: number;
  channel: Channel;
  /** How long to wait for the code to be verified before the next step; absent: only on failure. */
  timeoutSeconds?: number;
  /** The step after this one, if any. */
  next?: { index: number; channel: Channel };
}

/** When the next step fires if the code is not verified: its delay tier and the message's own TTL. */
export interface StepTimer {
  step: number;
  tierMs: number;
  delayMs: number;
}

/**
 * A job's workflow: its own (native `workflow`, or the client policy's default), else the deployment's
 * default, which SMS_FALLBACK_TO_VOICE makes [sms, voice] (no timeout: the call follows only when the
 * SMS fails for good) for a job the client's policy lets call, else the job's channel alone.
 */
export function workflowOf(job: SendJob, smsFallbackToVoice: boolean): Workflow {
  if (job.workflow) return job.workflow;
  if (smsFallbackToVoice && job.channel === 'sms' && job.allowedChannels.includes('voice'))
    return [{ channel: 'sms' }, { channel: 'voice' }];
  return [{ channel: job.channel }];
}

/**
 * The step a message delivers, or undefined when its (signed) step is past the workflow's end, which
 * only a job re-encoded with a shorter workflow could produce: such a message sends nothing.
 */
export function stepOf(job: SendJob, attempt: JobAttempt, smsFallbackToVoice: boolean): StepPlan | undefined {
  const workflow = workflowOf(job, smsFallbackToVoice);
  const index = attempt.step ?? 0;
  const step = workflow[index];
  if (!step) return undefined;
  const following = workflow[index + 1];
  return {
    index,
    channel: step.channel,
    ...(step.timeoutSeconds !== undefined ? { timeoutSeconds: step.timeoutSeconds } : {}),
    ...(following ? { next: { index: index + 1, channel: following.channel } } : {}),
  };
}

/**
 * The timer a sent step starts: none for the last step, or a step without a timeout, or one whose
 * timeout would fire after the code expires (the next step could not be used).
 */
export function timerAfter(plan: StepPlan, now: Date, expiresAt: Date): StepTimer | undefined {
  if (!plan.next || plan.timeoutSeconds === undefined) return undefined;
  const delayMs = plan.timeoutSeconds * 1000;
  if (now.getTime() + delayMs >= expiresAt.getTime()) return undefined;
  return { step: plan.next.index, tierMs: stepTierMs(delayMs), delayMs };
}

/** The attempt a next step starts with: the first of its own, in the same run. */
export function firstAttemptOf(step: number, current: JobAttempt): JobAttempt {
  return { attempt: 1, run: current.run, step };
}
