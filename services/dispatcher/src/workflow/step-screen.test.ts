import type { SendJob } from '@otpflow/contracts';
import { describe, expect, it } from 'vitest';
import { acceptedResult, failedResult, openedJob } from '../../test/fakes/jobs.js';
import { refusalReason, stepFacts, unsentCountedStep } from './step-screen.js';

describe('what the fraud guard is told about a later workflow step', () => {
  const opened = openedJob({ attempt: { attempt: 1, run: 'first', step: 1 } });

  it("tells the step's number, tenant, channel and verification, and no end-user address", () => {
    const facts = stepFacts(
      { ...opened, payload: { ...opened.payload, fraud: { lineType: 'MOBILE', thresholdScale: 2 } } },
      'voice',
    );
    expect(facts).toEqual({
      clientId: 'acme',
      e164: '+34612345678',
      countryCallingCode: '34',
      lineType: 'MOBILE',
      address: undefined,
      testNumber: false,
      tenant: { thresholdScale: 2, minConversion: undefined },
      channel: 'voice',
      authenticationId: opened.job.authenticationId,
    });
  });

  it('judges a job without the gateway’s facts as an unknown line type with the deployment’s thresholds', () => {
    expect(stepFacts(opened, 'sms')).toMatchObject({ lineType: undefined, tenant: undefined });
  });

  it('names the failure after the action, never the signal', () => {
    const refusal = {
      reason: 'low_conversion',
      target: '+34600',
      retryAfterSeconds: 900,
      newBlock: true,
    } as const;
    expect(refusalReason({ ...refusal, action: 'block' })).toBe('fraud_blocked');
    expect(refusalReason({ ...refusal, action: 'throttle' })).toBe('fraud_throttled');
  });
});

describe('a later workflow step the guard counted and that was never sent', () => {
  const workflow = [{ channel: 'sms' as const }, { channel: 'voice' as const }];
  const at = (step: number, attempt = 1, steps: SendJob['workflow'] = workflow) =>
    openedJob({ attempt: { attempt, run: 'first', step }, workflow: steps });
  const failed = failedResult({ retryable: false });

  it('is withdrawn once it failed for good: dead-lettered, or on to a next step', () => {
    expect(
      unsentCountedStep(
        { type: 'dead_lettered', opened: at(1), result: failed, reason: 'permanent_failure' },
        false,
      ),
    ).toMatchObject({ index: 1, channel: 'voice' });
    const threeSteps = at(1, 1, [...workflow, { channel: 'sms' }]);
    expect(
      unsentCountedStep(
        { type: 'next_step', opened: threeSteps, result: failed, step: 2, reason: 'permanent_failure' },
        false,
      ),
    ).toMatchObject({ index: 1 });
  });

  it('is withdrawn when a retry finds its code expired or no longer pending, not on its first attempt', () => {
    expect(unsentCountedStep({ type: 'expired', opened: at(1, 2) }, false)).toMatchObject({ index: 1 });
    expect(unsentCountedStep({ type: 'step_canceled', opened: at(1, 3) }, false)).toMatchObject({ index: 1 });
    // On its first attempt these come before the guard: nothing was counted.
    expect(unsentCountedStep({ type: 'expired', opened: at(1) }, false)).toBeUndefined();
    expect(unsentCountedStep({ type: 'step_canceled', opened: at(1) }, false)).toBeUndefined();
  });

  it('is not withdrawn when sent, retried, refused by the guard, or the first step (the gateway counts that)', () => {
    const plan = { index: 1, channel: 'voice' as const };
    expect(
      unsentCountedStep({ type: 'sent', opened: at(1), result: acceptedResult(), plan }, false),
    ).toBeUndefined();
    expect(
      unsentCountedStep({ type: 'retry', opened: at(1), result: failed, tierMs: 1000, delayMs: 1000 }, false),
    ).toBeUndefined();
    const refusal = {
      action: 'block',
      reason: 'prefix_velocity',
      target: '+34612',
      retryAfterSeconds: 900,
      newBlock: true,
    } as const;
    expect(unsentCountedStep({ type: 'step_refused', opened: at(1), plan, refusal }, false)).toBeUndefined();
    expect(
      unsentCountedStep(
        { type: 'dead_lettered', opened: at(0), result: failed, reason: 'permanent_failure' },
        false,
      ),
    ).toBeUndefined();
  });
});
