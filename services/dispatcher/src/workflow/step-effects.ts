import { attemptHeaders, type JobKey } from '@otpflow/contracts';
import type { Effects } from '../consume/effect.js';
import { failureOf } from '../consume/failure-record.js';
import { eventOf, failureEvent } from '../consume/job-events.js';
import { JOB_HEADERS } from '../consume/job-headers.js';
import type { OpenedJob, Outcome } from '../consume/outcome.js';
import type { SentRecord } from '../delivery/delivery-store.js';
import { refusalReason } from './step-screen.js';
import { firstAttemptOf, type StepPlan, type StepTimer } from './workflow-plan.js';

/** The workflow's rows of the effects table (effects.ts), and what a sent step adds to its row. */

type Sent = Extract<Outcome, { type: 'sent' }>;

/**
 * The timer of a sent step: the same job, signed as the next step's first attempt, into the step tier
 * whose TTL brings it back when the timeout is up. If the broker refuses it the code was still sent:
 * the move is given up (logged), never a reason to send the code again.
 */
export function timerMove(opened: OpenedJob, timer: StepTimer, keys: readonly JobKey[]): Effects['move'] {
  return {
    to: 'retry',
    move: {
      tierMs: timer.tierMs,
      delayMs: timer.delayMs,
      headers: {
        ...attemptHeaders(opened.job.jobId, firstAttemptOf(timer.step, opened.attempt), keys),
        [JOB_HEADERS.reason]: 'step_timeout',
      },
    },
    ifRefused: 'continue',
  };
}

/** What the delivery record keeps so an undelivered receipt can start the next step at once. */
export function nextStepRecord({
  opened,
  plan,
}: Pick<Sent, 'opened' | 'plan'>): Pick<SentRecord, 'nextStep'> {
  if (!plan.next) return {};
  return {
    nextStep: { job: JSON.stringify(opened.job), run: opened.attempt.run, step: plan.next.index },
  };
}

export const STEP_EFFECTS = {
  // The step failed for good (every provider refused it, or its attempts ran out): the next step's first
  // attempt goes through the first tier with no delay, so it runs at once on any worker.
  next_step: (
    { opened, result, step, reason }: Extract<Outcome, { type: 'next_step' }>,
    { keys, firstTierMs }: { keys: readonly JobKey[]; firstTierMs: number },
  ): Effects => ({
    move: {
      to: 'retry',
      move: {
        tierMs: firstTierMs,
        delayMs: 0,
        headers: {
          ...attemptHeaders(opened.job.jobId, firstAttemptOf(step, opened.attempt), keys),
          [JOB_HEADERS.reason]: result.reason,
        },
      },
      ifRefused: 'requeue',
    },
    record: {
      write: { kind: 'failure', status: 'retrying', failure: failureOf(opened, result) },
      required: false,
      ifFailed: { level: 'warn', message: 'could not record the failed step' },
    },
    finishAttempt: true,
    events: [failureEvent(opened, 'code.retried', result.reason, result)],
    count: { outcome: 'next_step', channel: result.channel },
    log: {
      level: 'warn',
      message: 'workflow step failed for good; running the next step',
      fields: { reason, lastError: result.lastError, step },
    },
  }),

  // The fraud guard refused the step (enforce mode; its fraud event and metric are the guard's report):
  // nothing is sent, and the workflow ends as a failed delivery. The attempt is finished, so a
  // redelivery is a duplicate rather than a second judgement.
  step_refused: ({ opened, plan, refusal }: Extract<Outcome, { type: 'step_refused' }>): Effects => {
    const reason = refusalReason(refusal);
    return {
      record: {
        write: {
          kind: 'failure',
          status: 'refused',
          failure: { attempt: opened.attempt.attempt, channel: plan.channel, lastError: reason, history: [] },
        },
        required: false,
        ifFailed: { level: 'warn', message: 'could not record the refused step' },
      },
      finishAttempt: true,
      events: [
        {
          ...eventOf(opened.job, 'code.failed'),
          channel: plan.channel,
          attempt: opened.attempt.attempt,
          reason,
        },
      ],
      count: { outcome: 'step_refused', channel: plan.channel },
      log: {
        level: 'warn',
        message: 'workflow step refused by the fraud guard: not sent',
        fields: { step: plan.index, reason, signal: refusal.reason },
      },
    };
  },
  // Verified, canceled or superseded before the step fired: the rest of the workflow is dropped.
  step_canceled: ({ opened }: Extract<Outcome, { type: 'step_canceled' }>): Effects => ({
    finishAttempt: false,
    events: [],
    count: { outcome: 'step_canceled', channel: opened.job.channel },
    log: {
      level: 'info',
      message: 'workflow step not run: the code is no longer pending',
      fields: { step: opened.attempt.step ?? 0 },
    },
  }),
};

export type { StepPlan };
