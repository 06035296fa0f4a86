import { smsChargeInfo, type Channel, type SealedSendPayload, type SendJob } from '@otpflow/contracts';
import type { OutboundMessage } from '../providers/provider.js';
import { spelledOut, voiceScript } from '../rendering/voice-script.js';

/** Renders what a provider sends for a job on a channel: the SMS text with its charge info, or a voice script. */
export function outboundMessage(
  job: SendJob,
  payload: SealedSendPayload,
  channel: Channel,
  attempt: { run: string; step?: number },
): OutboundMessage {
  const common = {
    // Each workflow step is a message of its own to the provider (step 0 keeps the key it had).
    idempotencyKey: `${job.jobId}:${attempt.run}${attempt.step ? `:step-${attempt.step}` : ''}`,
    jobId: job.jobId,
    authenticationId: job.authenticationId,
    to: payload.to,
    code: payload.code,
    expiresAt: new Date(job.expiresAt),
    variables: payload.variables,
    ...(payload.recipientIp ? { recipientIp: payload.recipientIp } : {}),
    ...(job.options.senderId ? { senderId: job.options.senderId } : {}),
    ...(job.options.templateId ? { templateId: job.options.templateId } : {}),
    ...(job.options.locale ? { locale: job.options.locale } : {}),
  };
  if (channel === 'voice') {
    const language = job.options.voiceLanguage ?? 'en-US';
    return {
      ...common,
      channel,
      text: payload.voiceTemplate
        ? twice(payload.voiceTemplate.replaceAll('{{code}}', spelledOut(payload.code)))
        : voiceScript(payload.code, language),
      voice: { language, gender: job.options.voiceGender ?? 'female' },
    };
  }
  const charge = smsChargeInfo(payload.text);
  return { ...common, channel, text: payload.text, sms: { encoding: charge.encoding, parts: charge.parts } };
}

/** A client's own voice text is said twice, like the standard script, so the code can be written down. */
function twice(text: string): string {
  return `${text} ${text}`;
}
