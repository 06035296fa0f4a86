import { ApiError } from '@otpflow/errors';
import { describe, expect, it } from 'vitest';
import { PhonePolicy, type NumberRanges, type PhonePolicySettings } from './phone-policy.js';

const settings: PhonePolicySettings = {
  servedPrefixes: [],
  deniedPrefixes: ['+3480'],
  blockedNumbers: ['+34611111111'],
  validation: 'strict',
};
/** The deployment defaults: no high-risk line type, no international network. */
const ranges: NumberRanges = {
  smsNumberTypes: ['MOBILE', 'FIXED_LINE_OR_MOBILE'],
  voiceNumberTypes: ['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE'],
  internationalNetworks: [],
};

function refusal(
  policy: PhonePolicy,
  phone: string,
  options: { isTestNumber?: boolean; channel?: 'sms' | 'voice'; ranges?: NumberRanges } = {},
): string | undefined {
  try {
    policy.check(phone, { isTestNumber: false, ranges, ...options });
    return undefined;
  } catch (error) {
    return (error as ApiError).code;
  }
}

const NOT_ALLOWED = 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED';

describe('PhonePolicy', () => {
  const policy = new PhonePolicy(settings);

  it('accepts mobiles and returns the country calling code', () => {
    expect(policy.check('+34612345678', { isTestNumber: false, ranges })).toEqual({
      e164: '+34612345678',
      countryCallingCode: '34',
    });
    expect(policy.check('+12015550123', { isTestNumber: false, ranges }).countryCallingCode).toBe('1');
  });

  it('refuses blocked, denied, landline and impossible numbers with the CAMARA codes', () => {
    expect(refusal(policy, '+34611111111')).toBe('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED');
    expect(refusal(policy, '+34800123456')).toBe(NOT_ALLOWED);
    expect(refusal(policy, '+34912345678')).toBe(NOT_ALLOWED);
    expect(refusal(policy, '+346661113334')).toBe(NOT_ALLOWED);
  });

  it('lets voice calls reach landlines', () => {
    expect(refusal(policy, '+34912345678', { channel: 'voice' })).toBeUndefined();
  });

  it('answers NOT_FOUND outside the served prefixes, before anything else', () => {
    const regional = new PhonePolicy({ ...settings, servedPrefixes: ['+33'] });
    expect(refusal(regional, '+34611111111')).toBe('NOT_FOUND');
    expect(refusal(regional, '+33612345678')).toBeUndefined();
  });

  it('lets test numbers and lenient deployments skip the line checks, not the block list', () => {
    expect(refusal(policy, '+346661113334', { isTestNumber: true })).toBeUndefined();
    expect(refusal(new PhonePolicy({ ...settings, validation: 'lenient' }), '+34912345678')).toBeUndefined();
    expect(refusal(policy, '+34611111111', { isTestNumber: true })).toBe(
      'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED',
    );
  });

  describe('ranges refused by default', () => {
    const lenient = new PhonePolicy({ ...settings, validation: 'lenient' });

    it('refuses the international networks on both channels, in lenient mode too', () => {
      for (const number of ['+870776123456', '+881612345678', '+882167890123', '+883120000000']) {
        for (const channel of ['sms', 'voice'] as const) {
          expect(refusal(policy, number, { channel }), `${number} ${channel}`).toBe(NOT_ALLOWED);
          expect(refusal(lenient, number, { channel }), `${number} ${channel}`).toBe(NOT_ALLOWED);
        }
      }
    });

    it('refuses premium-rate, shared-cost, UAN and pager lines on both channels, VoIP and personal numbers by voice', () => {
      const everyChannel = ['+34803123456', '+34901123456', '+443001234567', '+447640123456'];
      for (const number of everyChannel) {
        for (const channel of ['sms', 'voice'] as const) {
          expect(refusal(policy, number, { channel }), `${number} ${channel}`).toBe(NOT_ALLOWED);
          expect(refusal(lenient, number, { channel }), `${number} ${channel}`).toBe(NOT_ALLOWED);
        }
      }
      for (const number of ['+445600123456', '+447012345678']) {
        expect(refusal(policy, number, { channel: 'voice' }), number).toBe(NOT_ALLOWED);
        expect(refusal(lenient, number, { channel: 'voice' }), number).toBe(NOT_ALLOWED);
      }
    });

    it('serves what a client policy allows, within the prefix it names', () => {
      const satelliteSms: NumberRanges = { ...ranges, internationalNetworks: ['+8816'] };
      expect(refusal(policy, '+881612345678', { ranges: satelliteSms })).toBeUndefined();
      expect(refusal(policy, '+881812345678', { ranges: satelliteSms })).toBe(NOT_ALLOWED);
      // +882 numbers are VoIP lines to libphonenumber: by voice they need both allowances.
      const networkVoice: NumberRanges = { ...ranges, internationalNetworks: ['+882'] };
      expect(refusal(policy, '+882167890123', { channel: 'voice', ranges: networkVoice })).toBe(NOT_ALLOWED);
      const networkVoip: NumberRanges = {
        ...networkVoice,
        voiceNumberTypes: [...ranges.voiceNumberTypes, 'VOIP'],
      };
      expect(refusal(policy, '+882167890123', { channel: 'voice', ranges: networkVoip })).toBeUndefined();
      const premium: NumberRanges = { ...ranges, voiceNumberTypes: ['PREMIUM_RATE'] };
      expect(refusal(policy, '+33890123456', { channel: 'voice', ranges: premium })).toBeUndefined();
    });

    it('lets test numbers through, whatever their range', () => {
      expect(refusal(policy, '+881612345678', { isTestNumber: true })).toBeUndefined();
      expect(refusal(policy, '+33890123456', { isTestNumber: true, channel: 'voice' })).toBeUndefined();
    });
  });
});
