import { ApiError } from '@otpflow/errors';
import type { Channel } from '@otpflow/contracts';
import type { SessionDocument } from '@otpflow/mongo';
import type { ClientPolicy } from '../policies/client-policy.js';
import { fillVariables } from '../templates/message-text.js';
import type { TemplateStore } from '../templates/template.store.js';
import type { CodeHasher } from './code.js';
import type { Limits, Release } from './limits.js';
import type { CheckedPhoneNumber, PhonePolicy } from './phone-policy.js';
import type { MessageSource } from './send-request.js';

/** The SMS a verification gets when the request names neither a message nor a template. */
export const STANDARD_SMS_TEXT = 'Your verification code is {{code}}';

/** The message a code goes out with, rendered but for the code itself. */
export interface RenderedMessage {
  /** With `{{code}}` still in it. */
  text: string;
  /** What to keep on the session so a resend can say it again. */
  source: NonNullable<SessionDocument['content']>;
}

/**
 * May this client send a code by this channel to this number? The client's channels, then the
 * deployment's number policy with the ranges the client's policy allows, then the client's countries.
 */
export function checkRecipient(
  phonePolicy: PhonePolicy,
  policy: ClientPolicy,
  phoneNumber: string,
  channel: Channel,
  isTestNumber: boolean,
): CheckedPhoneNumber {
  if (!policy.channels.includes(channel)) {
    throw new ApiError('PERMISSION_DENIED', {
      message: `This client may not send codes by ${channel}.`,
      details: { field: 'channel' },
    });
  }
  const phone = phonePolicy.check(phoneNumber, { isTestNumber, channel, ranges: policy });
  if (policy.countries.length > 0 && !policy.countries.includes(phone.countryCallingCode)) {
    throw new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED', {
      message: 'This client may not send codes to this country.',
      details: { field: 'to' },
    });
  }
  return phone;
}

/**
 * The channels a code for this number may go out on: the client's channels that the number policy
 * also allows for this number (a VoIP number may take SMS but not calls). The job carries them, so
 * the dispatcher's SMS-to-voice fallback never calls a number or a client that may not be called.
 */
export function deliverableChannels(
  phonePolicy: PhonePolicy,
  policy: ClientPolicy,
  phoneNumber: string,
  isTestNumber: boolean,
): Channel[] {
  return policy.channels.filter((channel) => {
    try {
      checkRecipient(phonePolicy, policy, phoneNumber, channel, isTestNumber);
      return true;
    } catch (error) {
      if (error instanceof ApiError) return false;
      throw error;
    }
  });
}

/** The words of the message: free text, a template in the closest locale, or the standard text. */
export async function renderMessage(
  templates: TemplateStore,
  clientId: string,
  policy: ClientPolicy,
  message: MessageSource,
): Promise<RenderedMessage> {
  if (message.kind === 'standard') return { text: STANDARD_SMS_TEXT, source: {} };
  if (message.kind === 'text') return { text: message.text, source: { message: message.text } };
  const template = await templates.resolve(
    clientId,
    message.templateId,
    message.locale,
    policy.defaultLocale,
  );
  return {
    text: fillVariables(template.text, message.variables, 'template.variables'),
    source: { templateId: template.templateId, locale: template.locale, variables: message.variables },
  };
}

/** What a session said, as a message source again (for a resend). */
export function messageSourceOf(session: SessionDocument): MessageSource {
  const content = session.content ?? {};
  if (content.templateId && content.locale) {
    return {
      kind: 'template',
      templateId: content.templateId,
      locale: content.locale,
      variables: content.variables ?? {},
    };
  }
  return content.message ? { kind: 'text', text: content.message } : { kind: 'standard' };
}

/**
 * Takes the client's quota and the number's send limit together (two independent round trips, in
 * parallel); if either refuses, what the other took is given back, and the quota's refusal wins.
 */
export async function takeSendLimits(
  limits: Limits,
  hasher: CodeHasher,
  clientId: string,
  policy: ClientPolicy,
  e164: string,
): Promise<Release[]> {
  const results = await Promise.allSettled([
    limits.takeQuota(clientId),
    limits.takeSend(hasher.phoneKey(clientId, e164), policy.sends),
  ]);
  const taken = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const refused = results.find((result) => result.status === 'rejected');
  if (refused) {
    await Promise.all(taken.map((release) => release()));
    throw refused.reason;
  }
  return taken;
}

/** Runs `work` with limits taken, giving them back if it fails: a code not sent costs nothing. */
export async function withLimits<T>(releases: Release[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await Promise.all(releases.map((release) => release()));
    throw error;
  }
}

export function resendAllowedAt(
  session: Pick<SessionDocument, 'lastSentAt' | 'createdAt' | 'resendIntervalSeconds'>,
): Date {
  return new Date(
    (session.lastSentAt ?? session.createdAt).getTime() + (session.resendIntervalSeconds ?? 0) * 1000,
  );
}
