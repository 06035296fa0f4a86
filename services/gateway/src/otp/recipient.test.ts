import { ApiError } from '@otpflow/errors';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, type ClientPolicy } from '../policies/client-policy.js';
import { canonicalPhoneNumber } from './phone-number.js';
import { PhonePolicy } from './phone-policy.js';
import { checkRecipient } from './recipient.js';

const phonePolicy = new PhonePolicy({
  servedPrefixes: [],
  deniedPrefixes: [],
  blockedNumbers: [],
  validation: 'strict',
});
/** SMS to mobiles and VoIP lines; calls to mobiles and fixed lines. */
const policy: ClientPolicy = {
  ...defaultPolicy({
    codeLength: 6,
    validitySeconds: 300,
    maxAttempts: 3,
    maxSends: 5,
    sendWindowSeconds: 900,
    smsNumberTypes: ['MOBILE', 'VOIP'],
    voiceNumberTypes: ['MOBILE', 'FIXED_LINE'],
  }),
  channels: ['sms', 'voice'],
};

const MOBILE = '+34612345678';
const FIXED_LINE = '+34912345678';
const VOIP = '+445612345678';

function channelsFor(
  number: string,
  channel: 'sms' | 'voice',
  options: { test?: boolean; client?: ClientPolicy } = {},
) {
  return checkRecipient(
    phonePolicy,
    options.client ?? policy,
    canonicalPhoneNumber(number),
    channel,
    options.test ?? false,
  ).deliverableChannels;
}

describe('checkRecipient', () => {
  it('answers the number, its country and every channel it may be reached on', () => {
    expect(checkRecipient(phonePolicy, policy, canonicalPhoneNumber(MOBILE), 'sms', false)).toEqual({
      e164: MOBILE,
      countryCallingCode: '34',
      deliverableChannels: ['sms', 'voice'],
    });
  });

  it("leaves out a channel the number's line type may not take", () => {
    expect(channelsFor(VOIP, 'sms')).toEqual(['sms']);
    expect(channelsFor(FIXED_LINE, 'voice')).toEqual(['voice']);
  });

  it("offers only the client's own channels", () => {
    expect(channelsFor(MOBILE, 'sms', { client: { ...policy, channels: ['sms'] } })).toEqual(['sms']);
  });

  it('lets a test number be reached on every channel of the client', () => {
    expect(channelsFor(VOIP, 'sms', { test: true })).toEqual(['sms', 'voice']);
  });

  it('refuses the requested channel with the API error, not a shorter list', () => {
    expect(() => channelsFor(VOIP, 'voice')).toThrow(ApiError);
    expect(() => channelsFor(MOBILE, 'voice', { client: { ...policy, channels: ['sms'] } })).toThrow(
      expect.objectContaining({ code: 'PERMISSION_DENIED' }),
    );
  });
});
