import { ApiError } from '@otpflow/errors';
import { describe, expect, it } from 'vitest';
import { PhonePolicy, type PhonePolicySettings } from './phone-policy.js';

const settings: PhonePolicySettings = {
  servedPrefixes: [],
  deniedPrefixes: ['+3480'],
  blockedNumbers: ['+34611111111'],
  smsNumberTypes: ['MOBILE', 'FIXED_LINE_OR_MOBILE'],
  voiceNumberTypes: ['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE'],
  validation: 'strict',
};

function refusal(policy: PhonePolicy, phone: string, isTestNumber = false): string | undefined {
  try {
    policy.check(phone, { isTestNumber });
    return undefined;
  } catch (error) {
    return (error as ApiError).code;
  }
}

describe('PhonePolicy', () => {
  const policy = new PhonePolicy(settings);

  it('accepts mobiles and returns the country calling code', () => {
    expect(policy.check('+34612345678', { isTestNumber: false })).toEqual({
      e164: '+34612345678',
      countryCallingCode: '34',
    });
    expect(policy.check('+12015550123', { isTestNumber: false }).countryCallingCode).toBe('1');
  });

  it('refuses blocked, denied, landline and impossible numbers with the CAMARA codes', () => {
    expect(refusal(policy, '+34611111111')).toBe('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED');
    expect(refusal(policy, '+34800123456')).toBe('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
    expect(refusal(policy, '+34912345678')).toBe('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
    expect(refusal(policy, '+346661113334')).toBe('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
  });

  it('lets voice calls reach landlines', () => {
    expect(policy.check('+34912345678', { isTestNumber: false, channel: 'voice' }).countryCallingCode).toBe(
      '34',
    );
  });

  it('answers NOT_FOUND outside the served prefixes, before anything else', () => {
    const regional = new PhonePolicy({ ...settings, servedPrefixes: ['+33'] });
    expect(refusal(regional, '+34611111111')).toBe('NOT_FOUND');
    expect(refusal(regional, '+33612345678')).toBeUndefined();
  });

  it('lets test numbers and lenient deployments skip the line checks, not the block list', () => {
    expect(refusal(policy, '+346661113334', true)).toBeUndefined();
    expect(refusal(new PhonePolicy({ ...settings, validation: 'lenient' }), '+34912345678')).toBeUndefined();
    expect(refusal(policy, '+34611111111', true)).toBe('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED');
  });
});
