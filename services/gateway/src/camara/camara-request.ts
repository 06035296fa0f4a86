import { alphabetFromNames, type ClientPolicy } from '../policies/client-policy.js';
import { canonicalPhoneNumber } from '../otp/phone-number.js';
import type { SendRequest } from '../otp/send-request.js';
import { callsByVoice, checkedWorkflow, voiceLanguageFor } from '../otp/workflow-request.js';

/** CAMARA validate-code takes codes of at most 10 characters, whatever a policy says. */
const CAMARA_MAX_CODE_LENGTH = 10;

/**
 * A CAMARA send-code says only the number and the message: everything else comes from the client's
 * policy (code length and alphabet, validity, attempts, sender id, the default workflow), and the
 * channel is SMS unless the policy's workflow starts on another.
 */
export function camaraSendRequest(
  policy: ClientPolicy,
  body: { phoneNumber: string; message: string },
  correlator: string | undefined,
): SendRequest {
  const workflow = policy.workflow
    ? checkedWorkflow(policy, policy.workflow, policy.validitySeconds.default)
    : undefined;
  const channel = workflow?.[0]?.channel ?? 'sms';
  return {
    phone: canonicalPhoneNumber(body.phoneNumber),
    channel,
    ...(workflow ? { workflow } : {}),
    codeLength: Math.min(policy.code.length, CAMARA_MAX_CODE_LENGTH),
    alphabet: alphabetFromNames(policy.code.alphabet),
    validitySeconds: policy.validitySeconds.default,
    maxAttempts: policy.maxAttempts.default,
    message: { kind: 'text', text: body.message },
    ...(policy.senderId ? { senderId: policy.senderId } : {}),
    ...(callsByVoice(channel, workflow)
      ? { voice: { language: voiceLanguageFor(policy.defaultLocale), gender: 'female' as const } }
      : {}),
    ...(correlator ? { correlator } : {}),
    api: 'camara',
  };
}
