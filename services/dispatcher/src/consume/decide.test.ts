import { describe, expect, it } from 'vitest';
import { acceptedResult, failedResult, openedJob } from '../../test/fakes/jobs.js';
import { decide } from './decide.js';
import type { DeliveryPolicy, Facts } from './outcome.js';

const now = new Date('2026-01-01T00:00:00Z');
const policy: DeliveryPolicy = {
  maxAttempts: 3,
  retryTiersMs: [1_000, 5_000],
  random: () => 0.5,
  smsFallbackToVoice: false,
};
const opened = openedJob({ now });
const facts = (extra: Partial<Facts> = {}): Facts => ({ job: opened, now, ...extra });

describe('decide: one outcome per job message', () => {
  it('rejects a message that did not open, whatever else is known', () => {
    const unopened = { rejection: 'tampered' as const, error: 'sealed payload does not authenticate' };
    expect(decide({ job: unopened, now, lease: 'taken' }, policy)).toEqual({ type: 'rejected', unopened });
  });

  it('never sends a code that has expired, before taking any lease', () => {
    const expired = openedJob({ now, expiresInMs: 0 });
    expect(decide({ job: expired, now }, policy)).toEqual({ type: 'expired', opened: expired });
  });

  it('records a test number without a provider, before taking any lease', () => {
    const test = openedJob({ now, test: true });
    expect(decide({ job: test, now }, policy)).toEqual({ type: 'test', opened: test });
  });

  it('asks for the lease, then for the delivery attempt', () => {
    expect(decide(facts(), policy)).toEqual({ next: 'take_lease' });
    expect(decide(facts({ lease: 'taken' }), policy)).toEqual({ next: 'attempt_delivery', channel: 'sms' });
  });

  it('drops a redelivery of a finished attempt as a duplicate', () => {
    expect(decide(facts({ lease: 'done' }), policy)).toEqual({ type: 'duplicate', opened });
  });

  it('defers an attempt another worker holds, and one the store cannot tell about', () => {
    expect(decide(facts({ lease: 'busy' }), policy)).toEqual({
      type: 'deferred',
      opened,
      reason: 'in_progress_elsewhere',
    });
    expect(decide(facts({ lease: 'unavailable' }), policy)).toEqual({
      type: 'deferred',
      opened,
      reason: 'store_unavailable',
    });
  });

  it('is sent when a provider accepted it', () => {
    const result = acceptedResult();
    expect(decide(facts({ lease: 'taken', result }), policy)).toEqual({
      type: 'sent',
      opened,
      result,
      plan: { index: 0, channel: 'sms' },
    });
  });

  it('retries a transient failure through the tier of its attempt, with jitter', () => {
    const result = failedResult({ retryable: true });
    expect(decide(facts({ lease: 'taken', result }), policy)).toEqual({
      type: 'retry',
      opened,
      result,
      tierMs: 1_000,
      delayMs: 750,
    });
  });

  it('dead-letters a permanent failure, an exhausted budget, and a retry that would come too late', () => {
    const permanent = failedResult({ retryable: false });
    expect(decide(facts({ lease: 'taken', result: permanent }), policy)).toMatchObject({
      type: 'dead_lettered',
      reason: 'permanent_failure',
    });
    const transient = failedResult({ retryable: true });
    const last = openedJob({ now, attempt: { attempt: 3, run: 'first' } });
    expect(decide({ job: last, now, lease: 'taken', result: transient }, policy)).toMatchObject({
      type: 'dead_lettered',
      reason: 'attempts_exhausted',
    });
    const soon = openedJob({ now, expiresInMs: 500 });
    expect(decide({ job: soon, now, lease: 'taken', result: transient }, policy)).toMatchObject({
      type: 'dead_lettered',
      reason: 'expires_before_retry',
    });
  });

  describe('workflow steps', () => {
    const workflow = [{ channel: 'sms' as const, timeoutSeconds: 30 }, { channel: 'voice' as const }];
    const first = openedJob({ now, workflow });
    const second = openedJob({ now, workflow, attempt: { attempt: 1, run: 'first', step: 1 } });

    it('asks whether the code is still pending before a later step, and drops the step if not', () => {
      expect(decide({ job: second, now }, policy)).toEqual({ next: 'check_session' });
      expect(decide({ job: second, now, session: 'ended' }, policy)).toEqual({
        type: 'step_canceled',
        opened: second,
      });
      expect(decide({ job: second, now, session: 'unavailable' }, policy)).toMatchObject({
        type: 'deferred',
        reason: 'store_unavailable',
      });
      expect(decide({ job: second, now, session: 'live', lease: 'taken' }, policy)).toEqual({
        next: 'screen_step',
        channel: 'voice',
      });
    });

    it("asks the fraud guard about a later step's first attempt once it holds the lease, and sends only what it allows", () => {
      const held = { job: second, now, session: 'live', lease: 'taken' } as const;
      expect(decide({ ...held, screen: { action: 'allow' } }, policy)).toEqual({
        next: 'attempt_delivery',
        channel: 'voice',
      });
      const refusal = {
        action: 'block',
        reason: 'prefix_velocity',
        target: '+34600',
        retryAfterSeconds: 900,
        newBlock: true,
      } as const;
      expect(decide({ ...held, screen: refusal }, policy)).toEqual({
        type: 'step_refused',
        opened: second,
        plan: { index: 1, channel: 'voice' },
        refusal,
      });
      // A duplicate or a deferred message is not judged (nor counted) again.
      expect(decide({ job: second, now, session: 'live', lease: 'done' }, policy)).toMatchObject({
        type: 'duplicate',
      });
    });

    it("never asks the guard about the first step (the gateway did) or a later step's retries", () => {
      expect(decide({ job: first, now, lease: 'taken' }, policy)).toEqual({
        next: 'attempt_delivery',
        channel: 'sms',
      });
      const retry = openedJob({ now, workflow, attempt: { attempt: 2, run: 'first', step: 1 } });
      expect(decide({ job: retry, now, session: 'live', lease: 'taken' }, policy)).toEqual({
        next: 'attempt_delivery',
        channel: 'voice',
      });
    });

    it('never reads the code state for the first step', () => {
      expect(decide({ job: first, now }, policy)).toEqual({ next: 'take_lease' });
    });

    it('starts the next step timer with a sent step that has a timeout', () => {
      const result = acceptedResult();
      expect(decide({ job: first, now, lease: 'taken', result }, policy)).toMatchObject({
        type: 'sent',
        timer: { step: 1, tierMs: 30_000, delayMs: 30_000 },
      });
    });

    it('moves to the next step when a step fails for good, and retries a transient failure first', () => {
      const permanent = failedResult({ retryable: false });
      expect(decide({ job: first, now, lease: 'taken', result: permanent }, policy)).toMatchObject({
        type: 'next_step',
        step: 1,
        reason: 'permanent_failure',
      });
      const transient = failedResult({ retryable: true });
      expect(decide({ job: first, now, lease: 'taken', result: transient }, policy)).toMatchObject({
        type: 'retry',
      });
      const last = openedJob({ now, workflow, attempt: { attempt: 3, run: 'first' } });
      expect(decide({ job: last, now, lease: 'taken', result: transient }, policy)).toMatchObject({
        type: 'next_step',
        reason: 'attempts_exhausted',
      });
    });

    it('dead-letters the last step that fails for good', () => {
      const result = failedResult({ retryable: false });
      const facts = {
        job: second,
        now,
        session: 'live',
        lease: 'taken',
        screen: { action: 'allow' },
      } as const;
      expect(decide({ ...facts, result }, policy)).toMatchObject({
        type: 'dead_lettered',
      });
    });
  });
});
