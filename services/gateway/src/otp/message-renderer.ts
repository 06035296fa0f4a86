import type { Channel, SmsChargeInfo } from '@otpflow/contracts';
import type { CodeContent } from '@otpflow/mongo';
import type { ClientPolicy } from '../policies/client-policy.js';
import { checkMessageLimits, fillVariables, insertCode } from '../templates/message-text.js';
import type { TemplateStore } from '../templates/template.store.js';
import type { MessageSource } from './send-request.js';

/** The SMS a verification gets when the request names neither a message nor a template. */
export const STANDARD_SMS_TEXT = 'Your verification code is {{code}}';

/** The words a code goes out with, before the code is in them. */
export interface MessageWords {
  /** With `{{code}}` still in it (a call with the client's own words spells the code into it). */
  template: string;
  /** What to keep with the code so a resend can say it again. */
  source: CodeContent;
}

/** The message as it will be sent. */
export interface RenderedMessage extends MessageWords {
  text: string;
  /** SMS parts and encoding of `text`, the code included; none for calls. */
  charge: SmsChargeInfo | undefined;
}

/**
 * Renders messages, in one place for a first code and a resend: the words (free text, a template in
 * the closest locale, or the standard text), then the text with the code in it, whose length and SMS
 * parts are checked and charged as the dispatcher will send it.
 */
export class MessageRenderer {
  constructor(private readonly templates: Pick<TemplateStore, 'resolve'>) {}

  async words(clientId: string, policy: ClientPolicy, message: MessageSource): Promise<MessageWords> {
    if (message.kind === 'standard') return { template: STANDARD_SMS_TEXT, source: {} };
    if (message.kind === 'text') return { template: message.text, source: { message: message.text } };
    const template = await this.templates.resolve(
      clientId,
      message.templateId,
      message.locale,
      policy.defaultLocale,
    );
    return {
      template: fillVariables(template.text, message.variables, 'template.variables'),
      source: { templateId: template.templateId, locale: template.locale, variables: message.variables },
    };
  }

  /**
   * The words with the code in them, within the channel's limits (400 naming `field` otherwise), and
   * within a call's too when a later step calls with them (a workflow's voice step says the same words).
   */
  render(
    words: MessageWords,
    code: string,
    channel: Channel,
    field: string,
    { calledLater = false }: { calledLater?: boolean } = {},
  ): RenderedMessage {
    const text = insertCode(words.template, code);
    if (calledLater) checkMessageLimits(text, 'voice', field);
    return { ...words, text, charge: checkMessageLimits(text, channel, field) };
  }
}

/** What a stored code said, as a message source again (for a resend). */
export function messageSourceOf(content: CodeContent): MessageSource {
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
