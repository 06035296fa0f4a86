import { setTimeout as sleep } from 'node:timers/promises';
import {
  callbackTopologyNames,
  declareCallbackTopology,
  declareEventsQueue,
  QueueConsumer,
  type AmqpClient,
  type TopologyOptions,
} from '@otpflow/amqp';
import type { CallbackJob } from '@otpflow/contracts';
import type { Logger } from '@otpflow/telemetry';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { CallbackFanout } from './callback-fanout.js';
import { CALLBACK_HEADERS } from './callback-headers.js';
import { CALLBACK_EVENT_PATTERNS } from './callback-mapping.js';
import type { CallbackWorker, ReceivedCallback } from './callback-worker.js';

/** The header that carries a callback job's attempt through the retry tiers. */
export const CALLBACK_ATTEMPT_HEADER = CALLBACK_HEADERS.attempt;

/** The events queue of the callbacks fan-out (`otp.events.callbacks`). */
export const CALLBACKS_CONSUMER = 'callbacks';

export interface AmqpCallbacksOptions {
  topology: TopologyOptions & { callbackRetryDelaysMs: readonly number[] };
  fanoutPrefetch: number;
  workerPrefetch: number;
  /** How long an event whose jobs could not all be queued waits before it is given back. */
  giveBackMs: number;
  logger: Logger;
}

/**
 * The callbacks over RabbitMQ: on every connect, declares their queues, then attaches two consumers
 * of their own (own channels, own prefetch), apart from the send queue's: the fan-out on the events
 * queue, and the worker on the callbacks queue.
 */
export class AmqpCallbacks {
  private readonly consumers: QueueConsumer[] = [];

  constructor(
    private readonly amqp: AmqpClient,
    private readonly options: AmqpCallbacksOptions,
  ) {}

  enqueue = (job: CallbackJob): Promise<void> => {
    const names = callbackTopologyNames(this.options.topology.prefix);
    return this.amqp.publish(
      this.amqp.names.jobsExchange,
      names.callbackRoutingKey,
      Buffer.from(JSON.stringify(job)),
      {
        messageId: `${job.webhookId}/${job.endpointId}`,
        type: job.schema,
        headers: { [CALLBACK_ATTEMPT_HEADER]: 1 },
      },
    );
  };

  async start(fanout: CallbackFanout, worker: CallbackWorker): Promise<void> {
    const { topology, logger } = this.options;
    const names = callbackTopologyNames(topology.prefix);
    const fanoutConsumer = new QueueConsumer({
      queue: this.amqp.names.eventsQueue(CALLBACKS_CONSUMER),
      prefetch: this.options.fanoutPrefetch,
      logger,
      handler: async (message, channel) => {
        const outcome = await fanout.handle(message.content, message.properties.type);
        if (outcome !== 'retry') {
          channel.ack(message);
          return;
        }
        await sleep(this.options.giveBackMs);
        channel.nack(message, false, true);
      },
    });
    const workerConsumer = new QueueConsumer({
      queue: names.callbackQueue,
      prefetch: this.options.workerPrefetch,
      logger,
      handler: (message, channel) =>
        worker.handle(new AmqpReceivedCallback(this.amqp, topology.prefix, message, channel)),
    });
    this.consumers.push(fanoutConsumer, workerConsumer);
    await this.amqp.onConnect(async (model) => {
      const channel = await model.createChannel();
      await declareCallbackTopology(channel, { ...topology, retryDelaysMs: topology.callbackRetryDelaysMs });
      await channel.close();
      await declareEventsQueue(model, topology, CALLBACKS_CONSUMER, CALLBACK_EVENT_PATTERNS, {
        singleActiveConsumer: false,
      });
      await fanoutConsumer.attach(model);
      await workerConsumer.attach(model);
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }
}

class AmqpReceivedCallback implements ReceivedCallback {
  constructor(
    private readonly amqp: AmqpClient,
    private readonly prefix: string,
    private readonly message: ConsumeMessage,
    private readonly channel: Channel,
  ) {}

  get body(): Buffer {
    return this.message.content;
  }

  get attempt(): number {
    const value = Number(this.message.properties.headers?.[CALLBACK_ATTEMPT_HEADER]);
    return Number.isInteger(value) && value >= 1 ? value : 1;
  }

  ack(): void {
    this.settle(() => this.channel.ack(this.message));
  }

  requeue(): void {
    this.settle(() => this.channel.nack(this.message, false, true));
  }

  retry(move: { tierMs: number; delayMs: number; attempt: number }): Promise<void> {
    const names = callbackTopologyNames(this.prefix);
    return this.publish(this.amqp.names.retryExchange, names.callbackRetryRoutingKey(move.tierMs), {
      headers: { [CALLBACK_ATTEMPT_HEADER]: move.attempt },
      expiration: String(move.delayMs),
    });
  }

  deadLetter(move: { reason: string; lastError: string; attempts: number }): Promise<void> {
    return this.publish(callbackTopologyNames(this.prefix).callbackDeadExchange, '', {
      headers: {
        [CALLBACK_ATTEMPT_HEADER]: move.attempts,
        [CALLBACK_HEADERS.reason]: move.reason,
        [CALLBACK_HEADERS.lastError]: move.lastError,
        [CALLBACK_HEADERS.deadLetteredAt]: new Date().toISOString(),
      },
    });
  }

  private publish(
    exchange: string,
    routingKey: string,
    extra: { headers: Record<string, string | number>; expiration?: string },
  ): Promise<void> {
    return this.amqp.publish(exchange, routingKey, this.message.content, {
      messageId: String(this.message.properties.messageId ?? ''),
      type: this.message.properties.type as string | undefined,
      ...extra,
    });
  }

  // Settling on a channel that died is harmless: the broker redelivers the job.
  private settle(action: () => void): void {
    try {
      action();
    } catch {
      /* channel closed: redelivery follows */
    }
  }
}
