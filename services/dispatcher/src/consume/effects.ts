import { attemptHeaders, type OtpEventInput } from '@otpflow/contracts';
import type { SentRecord } from '../delivery/delivery-store.js';
import { nextStepRecord, STEP_EFFECTS, timerMove } from '../workflow/step-effects.js';
import type { Effects, EffectsContext, LogLine } from './effect.js';
import { failureOf } from './failure-record.js';
import { eventOf, failureEvent } from './job-events.js';
import { JOB_HEADERS } from './job-headers.js';
import type { Accepted, Outcome, OutcomeType } from './outcome.js';

/** What the vendor's answer says it billed, for the delivery record. */
const billedOf = ({ receipt }: Accepted): Pick<SentRecord, 'billedParts' | 'price'> => ({
  ...(receipt.billedParts !== undefined ? { billedParts: receipt.billedParts } : {}),
  ...(receipt.price ? { price: receipt.price } : {}),
});

/** The same, for the code.sent event (the cost metrics count it from there). */
const billedEventOf = (result: Accepted): Pick<OtpEventInput, 'billed'> => {
  const { billedParts: parts, price } = billedOf(result);
  return parts !== undefined || price
    ? { billed: { ...(parts !== undefined ? { parts } : {}), ...(price ? { price } : {}) } }
    : {};
};

/** Expired and test jobs are recorded before they are settled: without the record, they are deferred. */
const DEFER_WHEN_UNRECORDED: LogLine = {
  level: 'warn',
  message: 'delivery state unavailable; deferring the job',
};

type Table = {
  [T in OutcomeType]: (outcome: Extract<Outcome, { type: T }>, context: EffectsContext) => Effects;
};

/** The table: each outcome's effects (effect.ts has their shape), written once. */
const EFFECTS: Table = {
  rejected: ({ unopened }, { now }) => ({
    move: {
      to: 'dead_letter',
      move: {
        headers: {
          [JOB_HEADERS.reason]: unopened.rejection,
          [JOB_HEADERS.lastError]: unopened.error,
          [JOB_HEADERS.attempts]: 0,
          [JOB_HEADERS.deadLetteredAt]: now.toISOString(),
        },
      },
      // The work queue dead-letters to the same exchange: a reject lands it there too, without our reason.
      ifRefused: 'reject',
    },
    finishAttempt: false,
    events: [],
    count: { outcome: 'malformed', channel: 'unknown' },
    log: { level: 'warn', message: 'send job cannot be opened: dead-lettered', fields: { ...unopened } },
  }),

  expired: ({ opened }) => ({
    record: {
      write: { kind: 'skipped', status: 'expired_before_delivery' },
      required: true,
      ifFailed: DEFER_WHEN_UNRECORDED,
    },
    finishAttempt: false,
    events: [eventOf(opened.job, 'code.expired_before_delivery')],
    count: { outcome: 'expired', channel: opened.job.channel },
    log: { level: 'info', message: 'code expired before delivery: not sent' },
  }),

  test: ({ opened }) => ({
    record: {
      write: { kind: 'skipped', status: 'not_sent' },
      required: true,
      ifFailed: DEFER_WHEN_UNRECORDED,
    },
    finishAttempt: false,
    events: [
      { ...eventOf(opened.job, 'code.sent'), provider: 'test-number', attempt: opened.attempt.attempt },
    ],
    count: { outcome: 'test', channel: opened.job.channel },
  }),

  duplicate: ({ opened }) => ({
    finishAttempt: false,
    events: [],
    count: { outcome: 'duplicate', channel: opened.job.channel },
    log: { level: 'info', message: 'redelivered job already handled: not sent again' },
  }),

  // Comes back later through the first tier, without using up an attempt.
  deferred: ({ opened, reason }, { keys, firstTierMs }) => ({
    move: {
      to: 'retry',
      move: {
        tierMs: firstTierMs,
        delayMs: firstTierMs,
        headers: { ...attemptHeaders(opened.job.jobId, opened.attempt, keys), [JOB_HEADERS.reason]: reason },
      },
      ifRefused: 'requeue',
    },
    finishAttempt: false,
    events: [],
    count: { outcome: 'deferred', channel: 'unknown' },
  }),

  sent: ({ opened, result, plan, timer }, { keys }) => ({
    ...(timer ? { move: timerMove(opened, timer, keys) } : {}),
    record: {
      write: {
        kind: 'sent',
        record: {
          provider: result.provider,
          ...(result.receipt.providerMessageId
            ? { providerMessageId: result.receipt.providerMessageId }
            : {}),
          attempt: opened.attempt.attempt,
          channel: result.message.channel,
          ...(result.message.sms ? { sms: result.message.sms } : {}),
          ...billedOf(result),
          history: result.history,
          ...nextStepRecord({ opened, plan }),
        },
      },
      required: false,
      ifFailed: { level: 'error', message: 'sent, but the delivery record could not be written' },
    },
    finishAttempt: true,
    events: [
      {
        ...eventOf(opened.job, 'code.sent'),
        channel: result.message.channel,
        provider: result.provider,
        attempt: opened.attempt.attempt,
        ...(result.message.sms ? { sms: result.message.sms } : {}),
        ...billedEventOf(result),
      },
    ],
    count: { outcome: 'sent', channel: result.message.channel },
    log: { level: 'info', message: 'code sent', fields: { provider: result.provider } },
  }),

  retry: ({ opened, result, tierMs, delayMs }, { keys }) => ({
    move: {
      to: 'retry',
      move: {
        tierMs,
        delayMs,
        headers: {
          ...attemptHeaders(
            opened.job.jobId,
            { attempt: opened.attempt.attempt + 1, run: opened.attempt.run },
            keys,
          ),
          [JOB_HEADERS.reason]: result.reason,
        },
      },
      ifRefused: 'requeue',
    },
    record: {
      write: { kind: 'failure', status: 'retrying', failure: failureOf(opened, result) },
      required: false,
      ifFailed: { level: 'warn', message: 'could not record the retry' },
    },
    finishAttempt: true,
    events: [failureEvent(opened, 'code.retried', result.reason, result)],
    count: { outcome: 'retried', channel: result.channel, retryTierMs: tierMs },
    log: { level: 'warn', message: 'delivery failed; retrying', fields: { reason: result.reason, delayMs } },
  }),

  dead_lettered: ({ opened, result, reason }, { now }) => ({
    move: {
      to: 'dead_letter',
      move: {
        headers: {
          [JOB_HEADERS.reason]: reason,
          [JOB_HEADERS.lastError]: result.lastError,
          [JOB_HEADERS.attempts]: opened.attempt.attempt,
          [JOB_HEADERS.deadLetteredAt]: now.toISOString(),
          [JOB_HEADERS.jobId]: opened.job.jobId,
          [JOB_HEADERS.expiresAt]: opened.job.expiresAt,
          ...(result.provider ? { [JOB_HEADERS.provider]: result.provider } : {}),
        },
      },
      ifRefused: 'requeue',
    },
    record: {
      write: { kind: 'failure', status: 'dead_lettered', failure: failureOf(opened, result) },
      required: false,
      ifFailed: { level: 'warn', message: 'could not record the dead letter' },
    },
    finishAttempt: true,
    // Two facts: delivery failed for good (what the business counts), and where the job went.
    events: [
      failureEvent(opened, 'code.failed', result.reason, result),
      failureEvent(opened, 'code.dead_lettered', reason, result),
    ],
    count: { outcome: 'dead_lettered', channel: result.channel },
    log: {
      level: 'error',
      message: 'delivery failed for good; dead-lettered',
      fields: { reason, lastError: result.lastError },
    },
  }),

  ...STEP_EFFECTS,
};

export function effectsOf(outcome: Outcome, context: EffectsContext): Effects {
  return (EFFECTS[outcome.type] as (outcome: Outcome, context: EffectsContext) => Effects)(outcome, context);
}
