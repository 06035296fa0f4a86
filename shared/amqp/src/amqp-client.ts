import { DependencyUnavailableError } from '@otpflow/errors';
import type { Logger } from '@otpflow/telemetry';
import {
  connect,
  type ChannelModel,
  type ConfirmChannel,
  type Options,
  type RecoveringChannelModel,
} from 'amqplib';
import { declareTopology, topologyNames, type TopologyNames, type TopologyOptions } from './topology.js';

export interface AmqpClientOptions {
  url: string;
  /** Shown as the connection name in RabbitMQ's management UI. */
  name: string;
  topology: TopologyOptions;
  logger: Logger;
  /** How long a publish may wait for the broker's confirm before it counts as failed. */
  publishTimeoutMs: number;
}

/** Runs after every (re)connect, once the topology is declared: consumers attach here. */
export type ConnectHook = (model: ChannelModel) => Promise<void>;

export type PublishOptions = Options.Publish & { messageId: string };

/**
 * One RabbitMQ connection per service, recovered automatically (amqplib's own recovery, with backoff).
 * On every connect the whole topology is declared and a confirm channel opened for publishing.
 * A publish resolves only when the broker has confirmed it and routed it to a queue; while the
 * connection is down, publishes fail at once instead of queueing in memory, so the gateway can answer
 * 503 rather than promise a code it may never send.
 */
export class AmqpClient {
  readonly names: TopologyNames;
  private connection: RecoveringChannelModel | undefined;
  private model: ChannelModel | undefined;
  private publishChannel: ConfirmChannel | undefined;
  /** Message ids the broker returned as unroutable; their confirm then counts as a failure. */
  private readonly returned = new Set<string>();
  private readonly connectHooks: ConnectHook[] = [];

  private constructor(private readonly options: AmqpClientOptions) {
    this.names = topologyNames(options.topology.prefix);
  }

  /** Starts connecting and returns at once; `connected` turns true when the broker is reachable. */
  static async start(options: AmqpClientOptions): Promise<AmqpClient> {
    const client = new AmqpClient(options);
    client.connection = await connect(options.url, {
      clientProperties: { connection_name: options.name },
      recovery: {
        waitForConnect: false,
        initialDelay: 200,
        maxDelay: 5_000,
        maxRetries: Infinity,
        setup: (model: ChannelModel) => client.setup(model),
      },
    });
    client.connection.on('connect', () => options.logger.info('connected to RabbitMQ'));
    client.connection.on('disconnect', (error: Error) => {
      client.model = undefined;
      client.publishChannel = undefined;
      options.logger.warn({ err: error }, 'lost the RabbitMQ connection, reconnecting');
    });
    client.connection.on('connect-failed', (error: Error) => {
      options.logger.warn({ err: error }, 'could not connect to RabbitMQ, retrying');
    });
    client.connection.on('error', (error: Error) => {
      options.logger.warn({ err: error }, 'RabbitMQ connection error');
    });
    return client;
  }

  get connected(): boolean {
    return this.publishChannel !== undefined;
  }

  /** Resolves once the first connection (with its topology) is up. */
  async waitForConnect(): Promise<void> {
    await this.connection?.waitForConnect();
  }

  private async setup(model: ChannelModel): Promise<void> {
    const channel = await this.openPublishChannel(model);
    await declareTopology(channel, this.options.topology);
    this.model = model;
    for (const hook of this.connectHooks) await hook(model);
  }

  /**
   * Adds work to redo on every (re)connect, such as attaching a consumer; runs it at once if the
   * connection is already up.
   */
  async onConnect(hook: ConnectHook): Promise<void> {
    this.connectHooks.push(hook);
    if (this.model) await hook(this.model);
  }

  private async openPublishChannel(model: ChannelModel): Promise<ConfirmChannel> {
    const channel = await model.createConfirmChannel();
    channel.on('return', (message: { properties: { messageId?: unknown } }) => {
      if (typeof message.properties.messageId === 'string') this.returned.add(message.properties.messageId);
    });
    channel.on('error', (error: Error) => {
      this.options.logger.warn({ err: error }, 'RabbitMQ publish channel error');
    });
    channel.on('close', () => {
      if (this.publishChannel !== channel) return;
      this.publishChannel = undefined;
      // A channel-level error closes only the channel: reopen it while the connection lives.
      if (this.model === model) {
        this.openPublishChannel(model).catch((error: unknown) => {
          this.options.logger.warn({ err: error }, 'could not reopen the RabbitMQ publish channel');
        });
      }
    });
    this.publishChannel = channel;
    return channel;
  }

  /** Publishes a persistent message and waits for the broker's confirm. */
  publish(exchange: string, routingKey: string, content: Buffer, options: PublishOptions): Promise<void> {
    const channel = this.publishChannel;
    if (!channel) {
      return Promise.reject(new DependencyUnavailableError('rabbitmq', 'not connected to RabbitMQ'));
    }
    const { messageId } = options;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new DependencyUnavailableError(
            'rabbitmq',
            `publish not confirmed within ${this.options.publishTimeoutMs} ms`,
          ),
        );
      }, this.options.publishTimeoutMs);
      const settle = (error: unknown) => {
        clearTimeout(timer);
        const wasReturned = this.returned.delete(messageId);
        if (error)
          reject(new DependencyUnavailableError('rabbitmq', 'the broker did not accept the message', error));
        else if (wasReturned)
          reject(
            new DependencyUnavailableError('rabbitmq', `no queue is bound for ${exchange}/${routingKey}`),
          );
        else resolve();
      };
      try {
        channel.publish(
          exchange,
          routingKey,
          content,
          {
            persistent: true,
            mandatory: true,
            contentType: 'application/json',
            timestamp: Math.floor(Date.now() / 1000),
            ...options,
          },
          settle,
        );
      } catch (error) {
        settle(error);
      }
    });
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.publishChannel = undefined;
    this.model = undefined;
    await connection?.close();
  }
}
