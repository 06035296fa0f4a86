import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerAdmin, type BrokerUser } from './broker-admin.js';
import { RabbitMqNode } from './rabbitmq-node.js';
import { freePort } from '@otpflow/testing';

/**
 * One RabbitMQ node of the test's own (see RabbitMqNode), in a temporary folder: the test can stop it
 * and start it again without touching the RabbitMQ the other test files share.
 */
export class DedicatedRabbitMq {
  private constructor(
    private readonly home: string,
    readonly node: RabbitMqNode,
  ) {}

  /** Prepares the node's folder and ports and starts it; resolves once it accepts AMQP connections. */
  static async start(
    options: {
      management?: boolean;
      tls?: { caFile: string; certFile: string; keyFile: string };
      rabbitAppEnv?: Record<string, number>;
    } = {},
  ): Promise<DedicatedRabbitMq> {
    const home = await mkdtemp(join(tmpdir(), 'otpflow-rabbitmq-'));
    const amqpPort = await freePort();
    const node = new RabbitMqNode({
      nodeName: `otpflow-fault-${amqpPort}`,
      home,
      amqpPort,
      distributionPort: await freePort(),
      ...(options.management ? { managementPort: await freePort() } : {}),
      ...(options.tls ? { tls: { ...options.tls, port: await freePort() } } : {}),
      ...(options.rabbitAppEnv ? { rabbitAppEnv: options.rabbitAppEnv } : {}),
    });
    await node.prepare();
    const broker = new DedicatedRabbitMq(home, node);
    await broker.boot();
    return broker;
  }

  get port(): number {
    return this.node.options.amqpPort;
  }

  get url(): string {
    return this.node.url;
  }

  get running(): boolean {
    return this.node.running;
  }

  /** The AMQP URL for a user; `tls` for the TLS listener (its certificate names the PKI's server name). */
  urlFor(user: Pick<BrokerUser, 'username' | 'password'>, options: { tls?: boolean } = {}): string {
    const credentials = `${encodeURIComponent(user.username)}:${encodeURIComponent(user.password)}`;
    const { amqpPort, tls } = this.node.options;
    if (!options.tls) return `amqp://${credentials}@127.0.0.1:${amqpPort}`;
    if (!tls) throw new Error('this broker has no TLS listener');
    return `amqps://${credentials}@127.0.0.1:${tls.port}`;
  }

  /** Administration through the node's management API (started with `management: true`). */
  get admin(): BrokerAdmin {
    return new BrokerAdmin(() => [this.node.managementUrl]);
  }

  /** Starts the node (again) and waits until a client can open a connection and a channel. */
  boot(timeoutMs = 90_000): Promise<void> {
    return this.node.boot(timeoutMs);
  }

  /** Stops the node (SIGTERM: the clean shutdown an operator's restart does) and waits for it to go. */
  stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    return this.node.stop(signal);
  }

  async dispose(): Promise<void> {
    await this.node.stop('SIGKILL').catch(() => undefined);
    this.node.kill();
    await rm(this.home, { recursive: true, force: true });
  }
}
