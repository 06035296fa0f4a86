import type { Channel } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import type { ClientPolicy } from '../policies/client-policy.js';
import type { PhoneNumber } from './phone-number.js';
import type { CheckedPhoneNumber, PhonePolicy } from './phone-policy.js';

/**
 * May this client send a code by this channel to this number? The client's channels, then the
 * deployment's number policy, then the client's countries. A number read at the edge is checked as
 * read; one that comes from an id (a resend) is read here.
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
  const checked = phonePolicy.check(phone.parsed ? phone : phone.e164, { isTestNumber, channel });
  if (policy.countries.length > 0 && !policy.countries.includes(checked.countryCallingCode)) {
    throw new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED', {
      message: 'This client may not send codes to this country.',
      details: { field: 'to' },
    });
  }
  return checked;
}
