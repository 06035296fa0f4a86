import type { Logger } from '@otpflow/telemetry';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';

/**
 * Handles one delivery. It must settle the message itself (ack, or nack to dead-letter) on the channel
 * it is given; an error thrown out of it is a bug, and the message is dead-lettered rather than
 * redelivered in a hot loop.
 */
export type MessageHandler = (message: ConsumeMessage, channel: Channel) => Promise<void>;

export interface QueueConsumerOptions {
  queue: string;
  /** Deliveries in flight at once: RabbitMQ's prefetch, and so this consumer's concurrency. */
  prefetch: number;
  handler: MessageHandler;
  logger: Logger;
  /**
   * The broker cancelled the subscription (the queue was deleted, or a node holding it went into
   * maintenance): without this the consumer would sit idle and look healthy. Services reconnect,
   * which declares the topology again and attaches every consumer anew.
   */
  onCancelled?: () => void;
}

/**
 * A manual-ack consumer that survives reconnects (attach it from AmqpClient's onConnect) and drains on
 * stop: it cancels the subscription, then waits for the deliveries in flight to be settled.
 */
export class QueueConsumer {
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: QueueConsumerOptions) {}

  async attach(model: ChannelModel): Promise<void> {
    if (this.stopped) return;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => {
      this.options.logger.warn({ err: error, queue: this.options.queue }, 'consumer channel error');
    });
    await channel.prefetch(this.options.prefetch);
    const { consumerTag } = await channel.consume(this.options.queue, (message) => {
      if (message) this.dispatch(message, channel);
      else if (!this.stopped && this.channel === channel) {
        this.options.logger.warn({ queue: this.options.queue }, 'the broker cancelled the consumer');
        this.options.onCancelled?.();
      }
    });
    this.channel = channel;
    this.consumerTag = consumerTag;
    this.options.logger.info({ queue: this.options.queue, prefetch: this.options.prefetch }, 'consuming');
  }

  private dispatch(message: ConsumeMessage, channel: Channel): void {
    const work = this.options.handler(message, channel).catch((error: unknown) => {
      this.options.logger.error(
        { err: error, queue: this.options.queue },
        'message handler failed; dead-lettering',
      );
      try {
        channel.nack(message, false, false);
      } catch {
        // The channel is gone: the broker redelivers the message to the next consumer.
      }
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Stops taking deliveries and waits for those in flight (bounded by the caller's shutdown timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    const channel = this.channel;
    if (channel && this.consumerTag) {
      await channel.cancel(this.consumerTag).catch(() => undefined);
    }
    await Promise.allSettled([...this.inFlight]);
    await channel?.close().catch(() => undefined);
    this.channel = undefined;
  }
}
