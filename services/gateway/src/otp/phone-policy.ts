import type { Channel } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import type { PhoneNumberType } from 'libphonenumber-js/max';
import { canonicalPhoneNumber, type PhoneNumber } from './phone-number.js';

export interface PhonePolicySettings {
  /** E.164 prefixes this deployment serves; empty serves every number. Others: 404 NOT_FOUND. */
  servedPrefixes: readonly string[];
  /** Prefixes refused for business reasons: 403 PHONE_NUMBER_NOT_ALLOWED. */
  deniedPrefixes: readonly string[];
  /** Numbers on the block list: 403 PHONE_NUMBER_BLOCKED. */
  blockedNumbers: readonly string[];
  /** Line types that can receive an SMS (libphonenumber types); others: PHONE_NUMBER_NOT_ALLOWED. */
  smsNumberTypes: readonly PhoneNumberType[];
  /** Line types that can take a voice call (landlines too). */
  voiceNumberTypes: readonly PhoneNumberType[];
  /** strict: numbers libphonenumber deems impossible are refused; lenient: only the prefix rules apply. */
  validation: 'strict' | 'lenient';
}

export interface CheckedPhoneNumber {
  e164: string;
  /** Without '+': "34". */
  countryCallingCode: string;
}

/**
 * Decides whether a number may get a code, in the order an operator thinks about it: is it a number we
 * serve at all, is it blocked, may it receive one (prefix rules, a real number, a line type that takes
 * SMS). Test numbers skip the line checks: they are usually fictional.
 */
export class PhonePolicy {
  private readonly blocked: ReadonlySet<string>;

  constructor(private readonly settings: PhonePolicySettings) {
    // Listed in any form, blocked in the canonical one.
    this.blocked = new Set(settings.blockedNumbers.map((number) => canonicalPhoneNumber(number).e164));
  }

  /** Checks a number read at the edge (a string is read here, for callers that hold one). */
  check(
    phone: PhoneNumber | string,
    { isTestNumber, channel = 'sms' }: { isTestNumber: boolean; channel?: Channel },
  ): CheckedPhoneNumber {
    const { e164, parsed } = typeof phone === 'string' ? canonicalPhoneNumber(phone) : phone;
    const { servedPrefixes, deniedPrefixes } = this.settings;
    if (servedPrefixes.length > 0 && !servedPrefixes.some((prefix) => e164.startsWith(prefix))) {
      throw new ApiError('NOT_FOUND', {
        message: 'The phone number is outside the area this service covers.',
      });
    }
    if (this.blocked.has(e164)) throw new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED');
    if (deniedPrefixes.some((prefix) => e164.startsWith(prefix))) {
      throw new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
    }
    if (!parsed) throw new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
    const checked = { e164, countryCallingCode: parsed.countryCallingCode };
    if (isTestNumber || this.settings.validation === 'lenient') return checked;
    if (!parsed.isValid()) throw new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
    const type = parsed.getType();
    const allowed = channel === 'voice' ? this.settings.voiceNumberTypes : this.settings.smsNumberTypes;
    if (type !== undefined && !allowed.includes(type)) {
      throw new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
    }
    return checked;
  }
}
