import type { Channel } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import type { ClientPolicy } from '../policies/client-policy.js';
import type { PhoneNumber } from './phone-number.js';
import type { CheckedPhoneNumber, PhonePolicy } from './phone-policy.js';

/**
 * May this client send a code by this channel to this number? The client's channels, then the
 * deployment's number policy with the ranges the client's policy allows, then the client's countries.
 */
export function checkRecipient(
  phonePolicy: PhonePolicy,
  policy: ClientPolicy,
  phone: PhoneNumber,
  channel: Channel,
  isTestNumber: boolean,
): CheckedPhoneNumber {
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
  return checked;
}

/**
 * The channels a code for this number may go out on: the client's channels that the number policy
 * also allows for this number (a VoIP number may take SMS but not calls). The job carries them, so
 * the dispatcher's SMS-to-voice fallback never calls a number or a client that may not be called.
 */
export function deliverableChannels(
  phonePolicy: PhonePolicy,
  policy: ClientPolicy,
  phone: PhoneNumber,
  isTestNumber: boolean,
): Channel[] {
  return policy.channels.filter((channel) => {
    try {
      checkRecipient(phonePolicy, policy, phone, channel, isTestNumber);
      return true;
    } catch (error) {
      if (error instanceof ApiError) return false;
      throw error;
    }
  });
}
