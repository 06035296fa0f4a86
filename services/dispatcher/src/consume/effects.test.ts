import { randomBytes } from 'node:crypto';
import { jobKeysSchema, readAttempt } from '@otpflow/contracts';
import { describe, expect, it } from 'vitest';
import { acceptedResult, failedResult, openedJob } from '../../test/fakes/jobs.js';
import type { EffectsContext } from './effect.js';
import { effectsOf } from './effects.js';
import { JOB_HEADERS } from './job-headers.js';
import type { Outcome } from './outcome.js';

const now = new Date('2026-01-01T00:00:00Z');
const keys = jobKeysSchema.parse(`k:${randomBytes(32).toString('base64')}`);
const context: EffectsContext = { keys, now, firstTierMs: 1_000 };
const opened = openedJob({ now });
const { job } = opened;
const SINGLE_STEP = { index: 0, channel: 'sms' as const };

/** The effects of an outcome in short: what an operator or a test would check first. */
function summary(outcome: Outcome) {
  const effects = effectsOf(outcome, context);
  return {
    move: effects.move ? `${effects.move.to}/${effects.move.ifRefused}` : 'none',
    record: effects.record
      ? `${effects.record.write.kind}${'status' in effects.record.write ? `:${effects.record.write.status}` : ''}${effects.record.required ? ' (required)' : ''}`
      : 'none',
    finishAttempt: effects.finishAttempt,
    events: effects.events.map((event) => event.type),
    count: effects.count,
  };
}

describe('the effects table', () => {
  it('dead-letters a rejected message with its rejection, and rejects it if the broker refuses', () => {
    const outcome: Outcome = { type: 'rejected', unopened: { rejection: 'unknown_key', error: 'no key' } };
    expect(summary(outcome)).toEqual({
      move: 'dead_letter/reject',
      record: 'none',
      finishAttempt: false,
      events: [],
      count: { outcome: 'malformed', channel: 'unknown' },
    });
    const headers = effectsOf(outcome, context).move?.move.headers;
    expect(headers).toMatchObject({ [JOB_HEADERS.reason]: 'unknown_key', [JOB_HEADERS.attempts]: 0 });
  });

  it('records an expired code before anything else, and tells the metrics', () => {
    expect(summary({ type: 'expired', opened })).toEqual({
      move: 'none',
      record: 'skipped:expired_before_delivery (required)',
      finishAttempt: false,
      events: ['code.expired_before_delivery'],
      count: { outcome: 'expired', channel: 'sms' },
    });
  });

  it('records a test number as not sent, with a code.sent from the test-number provider', () => {
    expect(summary({ type: 'test', opened })).toEqual({
      move: 'none',
      record: 'skipped:not_sent (required)',
      finishAttempt: false,
      events: ['code.sent'],
      count: { outcome: 'test', channel: 'sms' },
    });
    expect(effectsOf({ type: 'test', opened }, context).events[0]).toMatchObject({ provider: 'test-number' });
  });

  it('only counts a duplicate', () => {
    expect(summary({ type: 'duplicate', opened })).toEqual({
      move: 'none',
      record: 'none',
      finishAttempt: false,
      events: [],
      count: { outcome: 'duplicate', channel: 'sms' },
    });
  });

  it('defers through the first tier with the same attempt, signed', () => {
    const outcome: Outcome = { type: 'deferred', opened, reason: 'in_progress_elsewhere' };
    expect(summary(outcome)).toMatchObject({ move: 'retry/requeue', record: 'none', events: [] });
    const move = effectsOf(outcome, context).move;
    expect(move?.to === 'retry' && move.move).toMatchObject({ tierMs: 1_000, delayMs: 1_000 });
    expect(readAttempt(job.jobId, move?.move.headers ?? {}, keys)).toEqual(opened.attempt);
  });

  it('records a sent code without requiring it, finishes the attempt and says which channel was used', () => {
    expect(summary({ type: 'sent', opened, result: acceptedResult(), plan: SINGLE_STEP })).toEqual({
      move: 'none',
      record: 'sent',
      finishAttempt: true,
      events: ['code.sent'],
      count: { outcome: 'sent', channel: 'sms' },
    });
  });

  it("keeps what the vendor's answer says it billed on the record and in code.sent, and nothing it did not say", () => {
    const price = { amount: '0.0333', currency: 'EUR' };
    const billed = acceptedResult();
    billed.receipt = { providerMessageId: 'alpha-1', billedParts: 2, price };
    const effects = effectsOf({ type: 'sent', opened, result: billed, plan: SINGLE_STEP }, context);
    expect(effects.record?.write).toMatchObject({ kind: 'sent', record: { billedParts: 2, price } });
    expect(effects.events[0]?.billed).toEqual({ parts: 2, price });

    const silent = effectsOf({ type: 'sent', opened, result: acceptedResult(), plan: SINGLE_STEP }, context);
    expect(silent.record?.write.kind === 'sent' && silent.record.write.record).not.toHaveProperty('price');
    expect(silent.events[0]).not.toHaveProperty('billed');
  });

  it('moves a retry to its tier as the next attempt, then records it', () => {
    const outcome: Outcome = {
      type: 'retry',
      opened,
      result: failedResult({ retryable: true }),
      tierMs: 5_000,
      delayMs: 3_000,
    };
    expect(summary(outcome)).toEqual({
      move: 'retry/requeue',
      record: 'failure:retrying',
      finishAttempt: true,
      events: ['code.retried'],
      count: { outcome: 'retried', channel: 'sms', retryTierMs: 5_000 },
    });
    const headers = effectsOf(outcome, context).move?.move.headers ?? {};
    expect(readAttempt(job.jobId, headers, keys)).toEqual({ attempt: 2, run: 'first' });
    expect(headers[JOB_HEADERS.reason]).toBe('http_503');
  });

  it('dead-letters a failure for good with why, how often and where, and says so twice', () => {
    const outcome: Outcome = {
      type: 'dead_lettered',
      opened,
      result: failedResult({ retryable: false }),
      reason: 'permanent_failure',
    };
    expect(summary(outcome)).toEqual({
      move: 'dead_letter/requeue',
      record: 'failure:dead_lettered',
      finishAttempt: true,
      events: ['code.failed', 'code.dead_lettered'],
      count: { outcome: 'dead_lettered', channel: 'sms' },
    });
    expect(effectsOf(outcome, context).move?.move.headers).toMatchObject({
      [JOB_HEADERS.reason]: 'permanent_failure',
      [JOB_HEADERS.attempts]: 1,
      [JOB_HEADERS.provider]: 'alpha',
      [JOB_HEADERS.jobId]: job.jobId,
      [JOB_HEADERS.deadLetteredAt]: now.toISOString(),
    });
  });

  describe('workflow steps', () => {
    const plan = {
      index: 0,
      channel: 'sms' as const,
      timeoutSeconds: 20,
      next: { index: 1, channel: 'voice' as const },
    };
    const timer = { step: 1, tierMs: 30_000, delayMs: 20_000 };

    it("starts a sent step's timer as the next step's first attempt, giving the timer up rather than the send", () => {
      const effects = effectsOf({ type: 'sent', opened, result: acceptedResult(), plan, timer }, context);
      expect(effects.move).toMatchObject({
        to: 'retry',
        ifRefused: 'continue',
        move: { tierMs: 30_000, delayMs: 20_000 },
      });
      expect(readAttempt(job.jobId, effects.move?.move.headers ?? {}, keys)).toEqual({
        attempt: 1,
        run: 'first',
        step: 1,
      });
      expect(effects.record?.write.kind === 'sent' && effects.record.write.record.nextStep).toEqual({
        job: JSON.stringify(job),
        run: 'first',
        step: 1,
      });
    });

    it('runs the next step at once through the first tier after a step failed for good', () => {
      const outcome: Outcome = {
        type: 'next_step',
        opened,
        result: failedResult({ retryable: false }),
        step: 1,
        reason: 'permanent_failure',
      };
      expect(summary(outcome)).toEqual({
        move: 'retry/requeue',
        record: 'failure:retrying',
        finishAttempt: true,
        events: ['code.retried'],
        count: { outcome: 'next_step', channel: 'sms' },
      });
      const move = effectsOf(outcome, context).move;
      expect(move?.move).toMatchObject({ tierMs: 1_000, delayMs: 0 });
      expect(readAttempt(job.jobId, move?.move.headers ?? {}, keys)).toEqual({
        attempt: 1,
        run: 'first',
        step: 1,
      });
    });

    it('settles a step the fraud guard refused as a failed delivery with its reason, sending nothing', () => {
      const second = openedJob({ now, attempt: { attempt: 1, run: 'first', step: 1 } });
      const outcome: Outcome = {
        type: 'step_refused',
        opened: second,
        plan: { index: 1, channel: 'voice' },
        refusal: {
          action: 'throttle',
          reason: 'prefix_velocity',
          target: '+34',
          retryAfterSeconds: 60,
          newBlock: false,
        },
      };
      expect(summary(outcome)).toEqual({
        move: 'none',
        record: 'failure:refused',
        finishAttempt: true,
        events: ['code.failed'],
        count: { outcome: 'step_refused', channel: 'voice' },
      });
      const effects = effectsOf(outcome, context);
      expect(effects.events[0]).toMatchObject({ channel: 'voice', reason: 'fraud_throttled', attempt: 1 });
      expect(effects.record?.write).toMatchObject({
        failure: { channel: 'voice', lastError: 'fraud_throttled', history: [] },
      });
    });

    it('acks a canceled step with nothing else than its count', () => {
      expect(summary({ type: 'step_canceled', opened })).toEqual({
        move: 'none',
        record: 'none',
        finishAttempt: false,
        events: [],
        count: { outcome: 'step_canceled', channel: 'sms' },
      });
    });
  });
});
