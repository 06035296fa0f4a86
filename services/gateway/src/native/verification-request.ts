import { ApiError } from '@otpflow/errors';
import { canonicalPhoneNumber } from '../otp/phone-number.js';
import type { SendRequest } from '../otp/send-request.js';
import { callsByVoice, checkedWorkflow, voiceLanguageFor } from '../otp/workflow-request.js';
import { alphabetFromNames, type ClientPolicy } from '../policies/client-policy.js';
import type { CreateVerificationBody } from './verification.schemas.js';

function outOfRange(field: string, message: string): ApiError {
  return new ApiError('OUT_OF_RANGE', { message: `${field}: ${message}.`, details: { field } });
}

function within(field: string, value: number, bounds: { min: number; max: number }): number {
  if (value < bounds.min || value > bounds.max)
    throw outOfRange(field, `must be within ${bounds.min}..${bounds.max} for this client`);
  return value;
}

/**
 * A native create request, resolved against the client's policy: what the request leaves out comes
 * from the policy, what it sets must stay within the policy's bounds (OUT_OF_RANGE naming the field).
 */
export function nativeSendRequest(
  policy: ClientPolicy,
  body: CreateVerificationBody,
  correlator: string | undefined,
): SendRequest {
  // The request's workflow, or its one channel, or the policy's default workflow, or its first channel.
  const requested = body.workflow ?? (body.channel ? undefined : policy.workflow);
  const channel =
    requested?.[0]?.channel ?? body.channel ?? (policy.channels.includes('sms') ? 'sms' : 'voice');
  const alphabetNames = body.code?.alphabet ?? policy.code.alphabet;
  const alphabet = alphabetFromNames(alphabetNames);
  const letters = alphabet.upper || alphabet.lower || alphabet.special;
  const codeLength = within('code.length', body.code?.length ?? policy.code.length, policy.codeLength);
  if (!letters && codeLength > 10) throw outOfRange('code.length', 'codes of digits only are 4 to 10 long');
  if (body.voice && !callsByVoice(channel, requested)) {
    throw new ApiError('INVALID_ARGUMENT', {
      message: 'voice: voice options apply to the voice channel only.',
      details: { field: 'voice' },
    });
  }
  const senderId = body.senderId ?? policy.senderId;
  if (body.senderId && body.senderId !== policy.senderId && !policy.senderIds.includes(body.senderId)) {
    throw new ApiError('PERMISSION_DENIED', {
      message: 'senderId: this client may not use this sender id.',
      details: { field: 'senderId' },
    });
  }
  const template = body.template ?? policy.defaultTemplate;
  const validitySeconds = within(
    'validitySeconds',
    body.validitySeconds ?? policy.validitySeconds.default,
    policy.validitySeconds,
  );
  const workflow = requested ? checkedWorkflow(policy, requested, validitySeconds) : undefined;
  const locale = body.template?.locale ?? template?.locale ?? policy.defaultLocale;
  return {
    phone: canonicalPhoneNumber(body.to),
    api: 'native',
    channel,
    ...(workflow ? { workflow } : {}),
    codeLength,
    alphabet,
    validitySeconds,
    maxAttempts: within('maxAttempts', body.maxAttempts ?? policy.maxAttempts.default, policy.maxAttempts),
    message: body.message
      ? { kind: 'text', text: body.message }
      : template
        ? {
            kind: 'template',
            templateId: template.id,
            locale: template.locale ?? policy.defaultLocale,
            variables: body.template?.variables ?? {},
          }
        : { kind: 'standard' },
    ...(senderId ? { senderId } : {}),
    ...(callsByVoice(channel, workflow)
      ? {
          voice: {
            // A call that is a later step speaks the verification's language; a voice-only one as before.
            language: body.voice?.language ?? (channel === 'voice' ? 'en-US' : voiceLanguageFor(locale)),
            gender: body.voice?.gender ?? 'female',
          },
        }
      : {}),
    ...(body.recipientIp ? { recipientIp: body.recipientIp } : {}),
    ...(correlator ? { correlator } : {}),
  };
}
