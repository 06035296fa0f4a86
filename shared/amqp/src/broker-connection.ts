import type { Logger } from '@otpflow/telemetry';
import { connect, type ChannelModel } from 'amqplib';
import { endpointLabel, type BrokerSettings } from './broker-settings.js';
import { nodeOrder, reconnectDelayMs, type Backoff } from './reconnect.js';

export interface BrokerConnectionOptions {
  settings: BrokerSettings;
  /** Shown as the connection name in RabbitMQ's management UI. */
  name: string;
  logger: Logger;
  /**
   * Runs on every new connection before it counts as up (declare the topology, check the policies,
   * attach consumers). If it throws, the connection is closed and the next node is tried.
   */
  setup: (model: ChannelModel, node: string) => Promise<void>;
  /** An established connection was lost; a reconnect is already on its way. */
  onLost: (error: Error) => void;
  backoff?: Backoff;
  random?: () => number;
}

/**
 * One connection for a short task (the dead-letter CLI): the nodes are tried in order, once each, and
 * the error of the last one is thrown if none answers.
 */
export async function connectToAnyNode(settings: BrokerSettings, name: string): Promise<ChannelModel> {
  let lastError: unknown = new Error('no RabbitMQ URL');
  for (const url of settings.urls) {
    try {
      return await connect(url, {
        ...settings.tls,
        timeout: settings.connectTimeoutMs,
        clientProperties: { connection_name: name },
      });
    } catch (error) {
      lastError = new Error(`could not connect to ${endpointLabel(url)}`, { cause: error });
    }
  }
  throw lastError;
}

/** A connection that lived at least this long was healthy: the next failure starts the back-off over. */
const HEALTHY_AFTER_MS = 10_000;

/**
 * One AMQP connection at a time to one of several RabbitMQ nodes, recovered for the life of the
 * service. amqplib's own recovery (2.x) reconnects to a single URL, so failover across a cluster's
 * nodes is done here: on connect and on every reconnect the nodes are tried in turn, starting after
 * the one just lost (it is likely the one that went away), and a full round of failures waits a
 * jittered, growing delay before the next. The first node of the first round is picked at random, so
 * replicas spread over the cluster.
 */
export class BrokerConnection {
  private current: ChannelModel | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private firstConnect!: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void };
  private readonly backoff: Backoff;
  private readonly random: () => number;

  private constructor(private readonly options: BrokerConnectionOptions) {
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 5_000 };
    this.random = options.random ?? Math.random;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may be waiting for it (the service starts unready and connects in the background).
    promise.catch(() => undefined);
    this.firstConnect = { promise, resolve, reject };
  }

  /** Starts connecting in the background and returns at once. */
  static open(options: BrokerConnectionOptions): BrokerConnection {
    const connection = new BrokerConnection(options);
    void connection.run();
    return connection;
  }

  /** Resolves once the first connection (with its setup) is up; rejects if closed before that. */
  waitForConnect(): Promise<void> {
    return this.firstConnect.promise;
  }

  /** Read through a method: close() flips it while run() awaits, which narrowing cannot see. */
  private closing(): boolean {
    return this.stopped;
  }

  private async run(): Promise<void> {
    const { urls } = this.options.settings;
    let next = Math.floor(this.random() * urls.length) % urls.length;
    let failedRounds = 0;
    while (!this.closing()) {
      const connected = await this.tryEachNode(next);
      if (this.closing()) break;
      if (connected === undefined) {
        failedRounds += 1;
        await this.pause(reconnectDelayMs(failedRounds, this.backoff, this.random));
        continue;
      }
      const { index, closed } = connected;
      const startedAt = Date.now();
      const lost = await closed;
      if (this.closing()) break;
      this.options.onLost(lost);
      next = (index + 1) % urls.length;
      // A connection that drops soon after it came up (a node in a restart loop) backs off too.
      if (Date.now() - startedAt >= HEALTHY_AFTER_MS) failedRounds = 0;
      else {
        failedRounds += 1;
        await this.pause(reconnectDelayMs(failedRounds, this.backoff, this.random));
      }
    }
  }

  /** One round over the nodes: the first that connects and passes setup wins. */
  private async tryEachNode(start: number): Promise<{ index: number; closed: Promise<Error> } | undefined> {
    const { settings, logger } = this.options;
    for (const index of nodeOrder(settings.urls.length, start)) {
      if (this.closing()) return undefined;
      const url = settings.urls[index] ?? '';
      const node = endpointLabel(url);
      let model: ChannelModel | undefined;
      try {
        model = await connect(url, {
          ...settings.tls,
          timeout: settings.connectTimeoutMs,
          clientProperties: { connection_name: this.options.name },
        });
        // Without a listener an 'error' event would throw; 'close' follows it and is handled.
        model.on('error', (error: Error) => logger.warn({ err: error, node }, 'RabbitMQ connection error'));
        model.on('blocked', (reason: string) =>
          logger.warn({ node, reason }, 'RabbitMQ blocked this connection (a resource alarm)'),
        );
        model.on('unblocked', () => logger.info({ node }, 'RabbitMQ unblocked this connection'));
        // Listened for before setup, so a connection lost during setup is not missed.
        const closed = this.untilClosed(model);
        this.current = model;
        await this.options.setup(model, node);
        if (this.closing()) {
          await model.close().catch(() => undefined);
          return undefined;
        }
        logger.info({ node, version: model.connection.serverProperties.version }, 'connected to RabbitMQ');
        this.firstConnect.resolve();
        return { index, closed };
      } catch (error) {
        this.current = undefined;
        if (model) await model.close().catch(() => undefined);
        logger.warn({ err: error, node }, 'could not connect to a RabbitMQ node, trying the next');
      }
    }
    return undefined;
  }

  private untilClosed(model: ChannelModel): Promise<Error> {
    return new Promise((resolve) => {
      model.once('close', (error?: Error) => {
        if (this.current === model) this.current = undefined;
        resolve(error ?? new Error('connection closed'));
      });
    });
  }

  /** Waits, unless close() cuts it short. */
  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    this.firstConnect.reject(new Error('connection closed'));
    const model = this.current;
    this.current = undefined;
    await model?.close().catch(() => undefined);
  }
}
