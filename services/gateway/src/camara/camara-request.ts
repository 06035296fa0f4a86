import { alphabetFromNames, type ClientPolicy } from '../policies/client-policy.js';
import { canonicalPhoneNumber } from '../otp/phone-number.js';
import type { SendRequest } from '../otp/send-request.js';

/** CAMARA validate-code takes codes of at most 10 characters, whatever a policy says. */
const CAMARA_MAX_CODE_LENGTH = 10;

/**
 * A CAMARA send-code says only the number and the message: everything else comes from the client's
 * policy (code length and alphabet, validity, attempts, sender id), and the channel is SMS.
 */
export function camaraSendRequest(
  policy: ClientPolicy,
  body: { phoneNumber: string; message: string },
  correlator: string | undefined,
): SendRequest {
  return {
    phone: canonicalPhoneNumber(body.phoneNumber),
    channel: 'sms',
    codeLength: Math.min(policy.code.length, CAMARA_MAX_CODE_LENGTH),
    alphabet: alphabetFromNames(policy.code.alphabet),
    validitySeconds: policy.validitySeconds.default,
    maxAttempts: policy.maxAttempts.default,
    message: { kind: 'text', text: body.message },
    ...(policy.senderId ? { senderId: policy.senderId } : {}),
    ...(correlator ? { correlator } : {}),
    api: 'camara',
  };
}
