import type { AmqpClient } from '@otpflow/amqp';
import {
  encodeSendJob,
  SEND_JOB_SCHEMA,
  type JobKey,
  type SealedSendPayload,
  type SendJobFields,
} from '@otpflow/contracts';

/**
 * Publishes the one send job of a code and resolves only once RabbitMQ has confirmed it and routed it
 * to the send queue. The number, text and code travel sealed (AES-256-GCM).
 */
export class SendJobPublisher {
  constructor(
    private readonly amqp: AmqpClient,
    private readonly keys: readonly JobKey[],
  ) {}

  async publish(
    fields: SendJobFields,
    secret: SealedSendPayload,
    correlator: string | undefined,
  ): Promise<void> {
    const { names } = this.amqp;
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
