import type { AmqpClient } from '@otpflow/amqp';
import { encodeSendJob, SEND_JOB_SCHEMA, type JobKey, type SendJobFields } from '@otpflow/contracts';
import type { SessionDocument } from '@otpflow/mongo';
import { insertCode } from '../templates/message-text.js';

/**
 * Publishes the one send job of a code and resolves only once RabbitMQ has confirmed it and routed it
 * to the send queue. The number, text and code travel sealed (AES-256-GCM).
 */
export class SendJobPublisher {
  constructor(
    private readonly amqp: AmqpClient,
    private readonly keys: readonly JobKey[],
  ) {}

  /** The job of a session's current code; `text` still has `{{code}}` in it. */
  async publish(
    session: SessionDocument,
    text: string,
    code: string,
    correlator: string | undefined,
  ): Promise<void> {
    const { names } = this.amqp;
    const fields: SendJobFields = {
      jobId: session.jobId,
      authenticationId: session._id,
      clientId: session.clientId,
      channel: session.channel,
      countryCallingCode: session.countryCallingCode,
      createdAt: session.createdAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      options: {
        ...(session.senderId ? { senderId: session.senderId } : {}),
        ...(session.voice
          ? { voiceLanguage: session.voice.language, voiceGender: session.voice.gender }
          : {}),
        ...(session.content?.templateId ? { templateId: session.content.templateId } : {}),
        ...(session.content?.locale ? { locale: session.content.locale } : {}),
      },
      test: session.test,
    };
    const secret = {
      to: session.phoneNumber,
      text: insertCode(text, code),
      code,
      variables: {
        ...session.content?.variables,
        ...(session.recipientIp ? { recipientIp: session.recipientIp } : {}),
      },
      // A call with the client's own words says them with the code spelled out (the dispatcher renders it).
      ...(session.channel === 'voice' && session.content?.message ? { voiceTemplate: text } : {}),
    };
    await this.amqp.publish(
      names.jobsExchange,
      names.sendRoutingKey,
      encodeSendJob(fields, secret, this.keys),
      {
        messageId: fields.jobId,
        type: SEND_JOB_SCHEMA,
        headers: correlator ? { 'x-correlator': correlator } : {},
      },
    );
  }
}
