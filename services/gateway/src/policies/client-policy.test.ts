import { describe, expect, it } from 'vitest';
import { alphabetFromNames, defaultPolicy, effectivePolicy, storedPolicySchema } from './client-policy.js';

const defaults = defaultPolicy({
  codeLength: 6,
  validitySeconds: 300,
  maxAttempts: 3,
  maxSends: 5,
  sendWindowSeconds: 900,
  smsNumberTypes: ['MOBILE', 'FIXED_LINE_OR_MOBILE'],
  voiceNumberTypes: ['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE'],
});

describe('client policies', () => {
  it('start from the deployment settings', () => {
    expect(defaults).toMatchObject({
      code: { length: 6, alphabet: ['digits'] },
      maxAttempts: { default: 3 },
      sends: { max: 5, windowSeconds: 900 },
    });
    expect(effectivePolicy(defaults, undefined).success).toBe(true);
  });

  it('take stored fields over the defaults, objects whole', () => {
    const result = effectivePolicy(defaults, {
      maxAttempts: { default: 2, min: 1, max: 4 },
      channels: ['sms'],
    });
    expect(result.data).toMatchObject({
      maxAttempts: { default: 2, min: 1, max: 4 },
      channels: ['sms'],
      validitySeconds: defaults.validitySeconds,
    });
  });

  it('refuse a default outside its bounds, and long digit-only codes', () => {
    expect(
      effectivePolicy(defaults, { maxAttempts: { default: 9, min: 1, max: 3 } }).error?.issues[0]?.path,
    ).toEqual(['maxAttempts.default']);
    expect(effectivePolicy(defaults, { code: { length: 12, alphabet: ['digits'] } }).success).toBe(false);
    expect(
      effectivePolicy(defaults, { code: { length: 12, alphabet: ['digits', 'uppercase'] } }).success,
    ).toBe(true);
  });

  it('keep a default workflow on their own channels, whose timeouts the default validity outlives', () => {
    const workflow = [{ channel: 'sms' as const, timeoutSeconds: 60 }, { channel: 'voice' as const }];
    expect(effectivePolicy(defaults, { workflow }).data?.workflow).toEqual(workflow);
    expect(effectivePolicy(defaults, { workflow, channels: ['sms'] }).error?.issues[0]?.path).toEqual([
      'workflow',
      1,
      'channel',
    ]);
    expect(
      effectivePolicy(defaults, { workflow: [{ channel: 'sms', timeoutSeconds: 300 }, { channel: 'voice' }] })
        .error?.issues[0]?.path,
    ).toEqual(['workflow']);
  });

  it('refuse unknown stored fields', () => {
    expect(storedPolicySchema.safeParse({ maxAtempts: 3 }).success).toBe(false);
  });

  it('turn alphabet names into generator flags', () => {
    expect(alphabetFromNames(['digits', 'special'])).toEqual({
      digits: true,
      upper: false,
      lower: false,
      special: true,
    });
  });
});
