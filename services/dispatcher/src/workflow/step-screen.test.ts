import { describe, expect, it } from 'vitest';
import { openedJob } from '../../test/fakes/jobs.js';
import { refusalReason, stepFacts } from './step-screen.js';

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
