import type { Channel } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import { canonicalPhoneNumber, type PhoneNumber } from './phone-number.js';

/** libphonenumber's line types, as settings and policies name them. */
export const NUMBER_TYPES = [
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];

/**
 * Ranges no OTP needs and toll fraud loves (traffic pumped to numbers whose terminating rates the
 * fraudster shares in): refused unless a client's policy names them. The international networks are
 * the satellite codes (+870 Inmarsat, +881 GMSS) and the ITU's international networks (+882, +883).
 */
export const INTERNATIONAL_NETWORKS = ['+870', '+881', '+882', '+883'] as const;
/** Line types no deployment-wide setting may allow, per channel; only a client policy can. */
export const HIGH_RISK_NUMBER_TYPES: Record<Channel, readonly NumberType[]> = {
  sms: ['PREMIUM_RATE', 'SHARED_COST', 'UAN', 'PAGER'],
  voice: ['PREMIUM_RATE', 'SHARED_COST', 'UAN', 'PAGER', 'VOIP', 'PERSONAL_NUMBER'],
};

export interface PhonePolicySettings {
  /** E.164 prefixes this deployment serves; empty serves every number. Others: 404 NOT_FOUND. */
  servedPrefixes: readonly string[];
  /** Prefixes refused for business reasons: 403 PHONE_NUMBER_NOT_ALLOWED. */
  deniedPrefixes: readonly string[];
  /** Numbers on the block list: 403 PHONE_NUMBER_BLOCKED. */
  blockedNumbers: readonly string[];
  /** strict: numbers libphonenumber deems impossible are refused; lenient: only the prefix and risk rules apply. */
  validation: 'strict' | 'lenient';
}

/** The ranges a client may reach: from its policy, whose defaults are the deployment's settings. */
export interface NumberRanges {
  /** Line types that may receive an SMS (libphonenumber types); others: PHONE_NUMBER_NOT_ALLOWED. */
  smsNumberTypes: readonly NumberType[];
  /** Line types that may take a voice call. */
  voiceNumberTypes: readonly NumberType[];
  /** Prefixes within INTERNATIONAL_NETWORKS this client may reach (none by default). */
  internationalNetworks: readonly string[];
}

export interface CheckedPhoneNumber {
  e164: string;
  /** Without '+': "34". */
  countryCallingCode: string;
}

const notAllowed = (message?: string) =>
  new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED', message ? { message } : {});

/**
 * Decides whether a number may get a code, in the order an operator thinks about it: is it a number we
 * serve at all, is it blocked, may it receive one (prefix rules, the ranges refused by default unless
 * the client's policy allows them, a real number, a line type that takes the channel). Test numbers
 * skip the line checks: they are usually fictional, and never reach a provider.
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
    options: { isTestNumber: boolean; channel?: Channel; ranges: NumberRanges },
  ): CheckedPhoneNumber {
    const number = typeof phone === 'string' ? canonicalPhoneNumber(phone) : phone;
    const { e164, parsed } = number;
    const { servedPrefixes, deniedPrefixes } = this.settings;
    if (servedPrefixes.length > 0 && !servedPrefixes.some((prefix) => e164.startsWith(prefix))) {
      throw new ApiError('NOT_FOUND', {
        message: 'The phone number is outside the area this service covers.',
      });
    }
    if (this.blocked.has(e164)) throw new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED');
    if (deniedPrefixes.some((prefix) => e164.startsWith(prefix))) throw notAllowed();
    if (!parsed) throw notAllowed();
    const checked = { e164, countryCallingCode: parsed.countryCallingCode };
    if (options.isTestNumber) return checked;
    this.checkRanges(number, options.channel ?? 'sms', options.ranges);
    if (this.settings.validation === 'lenient') return checked;
    // Not valid: libphonenumber knows no line type for it (see PhoneNumber.lineType).
    if (number.lineType === undefined) throw notAllowed();
    return checked;
  }

  /**
   * May a number this policy accepted (for some channel) take a code by `channel` too? Only the range
   * rules differ by channel; the rest of `check` is about the number. Answers without building an
   * error, for the channels a job may fall back to.
   */
  allowsChannel(
    phone: PhoneNumber,
    channel: Channel,
    options: { isTestNumber: boolean; ranges: NumberRanges },
  ): boolean {
    return options.isTestNumber || this.rangeRefusal(phone, channel, options.ranges) === undefined;
  }

  /** The risk rules hold in lenient mode too: toll-fraud protection is not a validation nicety. */
  private checkRanges(phone: PhoneNumber, channel: Channel, ranges: NumberRanges): void {
    const refusal = this.rangeRefusal(phone, channel, ranges);
    if (refusal !== undefined) throw notAllowed(refusal);
  }

  /** Why the ranges refuse this number for this channel, or undefined when they allow it. */
  private rangeRefusal(phone: PhoneNumber, channel: Channel, ranges: NumberRanges): string | undefined {
    const { e164, lineType: type } = phone;
    const network = INTERNATIONAL_NETWORKS.some((prefix) => e164.startsWith(prefix));
    if (network && !ranges.internationalNetworks.some((prefix) => e164.startsWith(prefix))) {
      return 'This client may not send codes to international networks.';
    }
    if (type === undefined) return undefined;
    const allowed: readonly string[] = channel === 'voice' ? ranges.voiceNumberTypes : ranges.smsNumberTypes;
    const highRisk: readonly string[] = HIGH_RISK_NUMBER_TYPES[channel];
    if (allowed.includes(type)) return undefined;
    if (highRisk.includes(type) || this.settings.validation === 'strict') {
      return `This client may not send codes by ${channel} to this kind of line.`;
    }
    return undefined;
  }
}
