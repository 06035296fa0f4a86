import { DependencyUnavailableError } from '@otpflow/errors';
import type { Logger } from '@otpflow/telemetry';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { BrokerConnection } from './broker-connection.js';
import type { BrokerSettings } from './broker-settings.js';
import type { QueuePolicyGuard } from './policy-guard.js';
import { declareTopology, topologyNames, type TopologyNames, type TopologyOptions } from './topology.js';

/**
 * A publish that never reached the broker (no connection): unlike a nack or a missing confirm, nothing
 * of it can have been stored, on any queue.
 */
export class NotPublishedError extends DependencyUnavailableError {
  constructor(message: string) {
    super('rabbitmq', message);
  }
}

export interface AmqpClientOptions {
  broker: BrokerSettings;
  /** Shown as the connection name in RabbitMQ's management UI. */
  name: string;
  topology: TopologyOptions;
  logger: Logger;
  /** How long a publish may wait for the broker's confirm before it counts as failed. */
  publishTimeoutMs: number;
  /** Applies and verifies the queue policies on every connect (none: not checked). */
  policies?: QueuePolicyGuard;
}

/** Runs after every (re)connect, once the topology is declared: consumers attach here. */
export type ConnectHook = (model: ChannelModel) => Promise<void>;

export type PublishOptions = Options.Publish & { messageId: string };

/**
 * One RabbitMQ connection per service, recovered automatically and failed over between the nodes of
 * RABBITMQ_URL (BrokerConnection). On every connect the whole topology is declared, the queue policies
 * checked, and a confirm channel opened for publishing. A publish resolves only when the broker has
 * confirmed it and routed it to a queue; while the connection is down, publishes fail at once instead
 * of queueing in memory, so the gateway can answer 503 rather than promise a code it may never send.
 */
export class AmqpClient {
  readonly names: TopologyNames;
  private connection: BrokerConnection | undefined;
  private model: ChannelModel | undefined;
  private publishChannel: ConfirmChannel | undefined;
  private currentNode: string | undefined;
  /** Message ids the broker returned as unroutable; their confirm then counts as a failure. */
  private readonly returned = new Set<string>();
  private readonly connectHooks: ConnectHook[] = [];

  private constructor(private readonly options: AmqpClientOptions) {
    this.names = topologyNames(options.topology.prefix);
  }

  /** Starts connecting and returns at once; `connected` turns true when the broker is reachable. */
  static start(options: AmqpClientOptions): Promise<AmqpClient> {
    const client = new AmqpClient(options);
    client.connection = BrokerConnection.open({
      settings: options.broker,
      name: options.name,
      logger: options.logger,
      setup: (model, node) => client.setup(model, node),
      onLost: (error) => {
        client.model = undefined;
        client.publishChannel = undefined;
        options.logger.warn(
          { err: error, node: client.currentNode },
          'lost the RabbitMQ connection, reconnecting',
        );
        client.currentNode = undefined;
      },
    });
    return Promise.resolve(client);
  }

  get connected(): boolean {
    return this.publishChannel !== undefined;
  }

  /** The node this service is connected to (`amqp://host:port`, no credentials), if any. */
  get node(): string | undefined {
    return this.currentNode;
  }

  /** Resolves once the first connection (with its topology) is up. */
  async waitForConnect(): Promise<void> {
    await this.connection?.waitForConnect();
  }

  private async setup(model: ChannelModel, node: string): Promise<void> {
    const startedAt = performance.now();
    const channel = await this.openPublishChannel(model);
    await declareTopology(channel, this.options.topology);
    const declaredAt = performance.now();
    await this.options.policies?.check(model.connection.serverProperties.version);
    this.options.logger.debug(
      {
        node,
        declareMs: Math.round(declaredAt - startedAt),
        policiesMs: Math.round(performance.now() - declaredAt),
      },
      'topology declared and policies checked',
    );
    // Publishing starts only now: a connection whose policies are refused never takes a job.
    this.model = model;
    this.publishChannel = channel;
    this.currentNode = node;
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
        this.openPublishChannel(model).then(
          (reopened) => {
            if (this.model === model) this.publishChannel = reopened;
          },
          (error: unknown) => {
            this.options.logger.warn({ err: error }, 'could not reopen the RabbitMQ publish channel');
          },
        );
      }
    });
    return channel;
  }

  /** Publishes a persistent message and waits for the broker's confirm. */
  publish(exchange: string, routingKey: string, content: Buffer, options: PublishOptions): Promise<void> {
    const channel = this.publishChannel;
    if (!channel) {
      return Promise.reject(new NotPublishedError('not connected to RabbitMQ'));
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
      // Called once: by amqplib on the broker's ack or nack, or with an error when the channel closes
      // unconfirmed (connection lost, client closed); or below if publish throws. A timer per publish
      // measured the same as one deadline timer shared by every pending publish (bench/findings.md).
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

  /**
   * Drops the current connection so the usual recovery connects again, declaring everything and
   * attaching every consumer anew (after the broker cancelled one of them).
   */
  reconnect(reason: string): void {
    const model = this.model;
    if (!model) return;
    this.options.logger.warn({ reason }, 'reconnecting to RabbitMQ');
    model.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.publishChannel = undefined;
    this.model = undefined;
    this.options.policies?.stop();
    await connection?.close();
  }
}
