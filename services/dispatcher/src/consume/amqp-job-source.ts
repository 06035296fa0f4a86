import { QueueConsumer, type AmqpClient } from '@otpflow/amqp';
import type { Logger } from '@otpflow/telemetry';
import type { Channel, ConsumeMessage } from 'amqplib';
import { JOB_HEADERS } from './job-headers.js';
import type { DeadLetterMove, JobHandler, JobSource, ReceivedJob, RetryMove } from './job-source.js';

/**
 * The job source over RabbitMQ: the shared QueueConsumer (manual acks, prefetch, reattached on every
 * reconnect, drained on stop), with each delivery wrapped as a ReceivedJob. Moving a job on is a
 * confirmed publish, so the original is acked only once its next home has it: a retry tier (whose TTL
 * sends it back to the work queue) or the dead-letter queue. The sealed body is passed on untouched.
 */
export class AmqpJobSource implements JobSource {
  private consumer: QueueConsumer | undefined;

  constructor(
    private readonly amqp: AmqpClient,
    private readonly options: { prefetch: number; logger: Logger },
  ) {}

  get connected(): boolean {
    return this.amqp.connected;
  }

  async start(handler: JobHandler): Promise<void> {
    const consumer = new QueueConsumer({
      queue: this.amqp.names.sendQueue,
      prefetch: this.options.prefetch,
      handler: (message, channel) => handler(new AmqpReceivedJob(this.amqp, message, channel)),
      logger: this.options.logger,
    });
    this.consumer = consumer;
    await this.amqp.onConnect((model) => consumer.attach(model));
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }

  enqueue(body: Buffer, headers: Record<string, string | number>): Promise<void> {
    const { names } = this.amqp;
    return this.amqp.publish(names.jobsExchange, names.sendRoutingKey, body, {
      messageId: String(headers[JOB_HEADERS.jobId] ?? ''),
      headers,
    });
  }
}

class AmqpReceivedJob implements ReceivedJob {
  constructor(
    private readonly amqp: AmqpClient,
    private readonly message: ConsumeMessage,
    private readonly channel: Channel,
  ) {}

  get body(): Buffer {
    return this.message.content;
  }

  get headers(): Readonly<Record<string, unknown>> {
    return this.message.properties.headers ?? {};
  }

  // Settling on a channel that died is harmless: the broker redelivers, and leases catch the repeat.
  ack(): void {
    try {
      this.channel.ack(this.message);
    } catch {
      /* channel closed: redelivery follows */
    }
  }

  requeue(): void {
    this.nack(true);
  }

  reject(): void {
    this.nack(false);
  }

  private nack(requeue: boolean): void {
    try {
      this.channel.nack(this.message, false, requeue);
    } catch {
      /* channel closed: redelivery follows */
    }
  }

  retry(move: RetryMove): Promise<void> {
    const { names } = this.amqp;
    return this.publish(names.retryExchange, names.retryRoutingKey(move.tierMs), move.headers, move.delayMs);
  }

  deadLetter(move: DeadLetterMove): Promise<void> {
    return this.publish(this.amqp.names.deadExchange, '', move.headers);
  }

  private publish(
    exchange: string,
    routingKey: string,
    extra: Record<string, string | number>,
    expiration?: number,
  ): Promise<void> {
    // x-death grows with every pass through a TTL queue; our own headers say all that matters.
    const {
      'x-death': _death,
      'x-first-death-exchange': _exchange,
      'x-first-death-queue': _queue,
      'x-first-death-reason': _reason,
      ...rest
    } = this.headers;
    const headers = { ...rest, ...extra };
    return this.amqp.publish(exchange, routingKey, this.message.content, {
      messageId: String(this.message.properties.messageId ?? headers[JOB_HEADERS.jobId] ?? ''),
      type: this.message.properties.type as string | undefined,
      headers,
      ...(expiration !== undefined ? { expiration: String(expiration) } : {}),
    });
  }
}
