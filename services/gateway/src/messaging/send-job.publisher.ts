import type { AmqpClient } from '@otpflow/amqp';
import {
  encodeSendJob,
  SEND_JOB_SCHEMA,
  type Channel,
  type JobKey,
  type SendJobFields,
} from '@otpflow/contracts';
import type { SessionDocument } from '@otpflow/mongo';
import { insertCode } from '../templates/message-text.js';

/** What one send job is made of. */
export interface SendJobRequest {
  /** The session of the code, as stored. */
  session: SessionDocument;
  /** The message with `{{code}}` still in it. */
  text: string;
  code: string;
  correlator: string | undefined;
  /** The channels the client's policy allows: the dispatcher never falls back outside them. */
  allowedChannels: readonly Channel[];
}

/**
 * Publishes the one send job of a code and resolves only once RabbitMQ has confirmed it and routed it
 * to the send queue. The number, text and code travel sealed (AES-256-GCM), and every other field of
 * the job is bound to that seal.
 */
export class SendJobPublisher {
  constructor(
    private readonly amqp: AmqpClient,
    private readonly keys: readonly JobKey[],
  ) {}

  /** The job of a session's current code. */
  async publish({ session, text, code, correlator, allowedChannels }: SendJobRequest): Promise<void> {
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
      // The session's own channel is always among them (the policy allowed it to be asked for).
      allowedChannels: [...new Set([session.channel, ...allowedChannels])],
      test: session.test,
    };
    const secret = {
      to: session.phoneNumber,
      text: insertCode(text, code),
      code,
      variables: { ...session.content?.variables },
      // For vendors that take it (Octopush): never a template variable, which would print it or break
      // a template provider's `name:value` list.
      ...(session.recipientIp ? { recipientIp: session.recipientIp } : {}),
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
