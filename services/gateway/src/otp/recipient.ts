import type { Channel } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import type { ClientPolicy } from '../policies/client-policy.js';
import type { PhoneNumber } from './phone-number.js';
import type { CheckedPhoneNumber, PhonePolicy } from './phone-policy.js';

/** A recipient the client may send a code to, and every channel a code for it may go out on. */
export interface CheckedRecipient extends CheckedPhoneNumber {
  /**
   * The client's channels that the number policy also allows for this number (a VoIP number may take
   * SMS but not calls), the requested one among them. The job carries them, so the dispatcher's
   * SMS-to-voice fallback never calls a number or a client that may not be called.
   */
  deliverableChannels: Channel[];
}

/**
 * May this client send a code by this channel to this number? The client's channels, then the
 * deployment's number policy with the ranges the client's policy allows, then the client's countries.
 * Also says which of the client's other channels the number may be reached on.
 */
export function checkRecipient(
  phonePolicy: PhonePolicy,
  policy: ClientPolicy,
  phone: PhoneNumber,
  channel: Channel,
  isTestNumber: boolean,
): CheckedRecipient {
  if (!policy.channels.includes(channel)) {
    throw new ApiError('PERMISSION_DENIED', {
      message: `This client may not send codes by ${channel}.`,
      details: { field: 'channel' },
    });
  }
  const checked = phonePolicy.check(phone, {
    isTestNumber,
    channel,
    ranges: policy,
  });
  if (policy.countries.length > 0 && !policy.countries.includes(checked.countryCallingCode)) {
    throw new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED', {
      message: 'This client may not send codes to this country.',
      details: { field: 'to' },
    });
  }
  // The number and country rules passed for `channel`; only the ranges decide the others.
  const deliverableChannels = policy.channels.filter(
    (other) => other === channel || phonePolicy.allowsChannel(phone, other, { isTestNumber, ranges: policy }),
  );
  return { ...checked, deliverableChannels };
}
