import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { DependencyUnavailableError } from '@otpflow/errors';
import { createLogger } from '@otpflow/telemetry';
import { createTestContext, deleteRunTopology, type TestContext } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpClient } from '../src/amqp-client.js';

const PUBLISH_TIMEOUT_MS = 300;

/** What a promise was rejected with; undefined if it resolved. */
const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/**
 * A TCP proxy in front of RabbitMQ that can hold back the broker's bytes, as a stalled broker or a
 * one-way partition would: the client's publishes still reach the broker, its confirms do not come
 * back, and the connection looks up all the while. Resumed, the held bytes go through in order.
 */
class StallingProxy {
  /** Connections the client opened through the proxy. */
  connections = 0;
  private readonly brokers = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(target: { host: string; port: number }): Promise<StallingProxy> {
    const server = createServer();
    const proxy = new StallingProxy(server);
    server.on('connection', (client) => {
      proxy.forward(client, connect(target));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private forward(client: Socket, broker: Socket): void {
    this.connections += 1;
    this.brokers.add(broker);
    for (const socket of [client, broker]) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.brokers.delete(broker);
        client.destroy();
        broker.destroy();
      });
    }
    client.pipe(broker);
    // Not piped: a pipe may resume its source by itself, and stall() must hold it.
    broker.on('data', (chunk: Buffer) => client.write(chunk));
  }

  /** From now on nothing the broker sends (confirms, heartbeats) reaches the client. */
  stall(): void {
    for (const broker of this.brokers) broker.pause();
  }

  resume(): void {
    for (const broker of this.brokers) broker.resume();
  }

  async close(): Promise<void> {
    for (const broker of this.brokers) broker.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The publish deadline over a real connection to RabbitMQ (through StallingProxy): a publish the
 * broker does not confirm in time fails with DependencyUnavailableError, the gateway's 503, instead
 * of waiting for a confirm that may never come. No database is used: only the topology is cleaned up.
 */
describe('a publish the broker does not confirm', () => {
  let context: TestContext;
  let proxy: StallingProxy;
  let client: AmqpClient;

  const publish = () =>
    client.publish(client.names.jobsExchange, client.names.sendRoutingKey, Buffer.from('{}'), {
      messageId: randomUUID(),
    });

  beforeAll(async () => {
    context = createTestContext('deadline', { retryDelaysMs: [1_000] });
    const brokerUrl = new URL(context.rabbitUrl);
    proxy = await StallingProxy.start({ host: brokerUrl.hostname, port: Number(brokerUrl.port || 5672) });
    const proxiedUrl = new URL(context.rabbitUrl);
    proxiedUrl.host = `127.0.0.1:${proxy.port}`;
    client = await AmqpClient.start({
      broker: { urls: [proxiedUrl.toString()], tls: {}, connectTimeoutMs: 5_000 },
      name: 'test-publish-deadline',
      topology: context.topology,
      logger: createLogger({ service: 'test', level: 'silent' }),
      publishTimeoutMs: PUBLISH_TIMEOUT_MS,
    });
    await client.waitForConnect();
  });

  afterAll(async () => {
    // Closing a client whose broker went quiet would wait for a close-ok that never comes (a test that
    // failed while stalled).
    proxy.resume();
    await client.close();
    await proxy.close();
    await deleteRunTopology(context.rabbitUrl, context.topology, []);
  });

  it('fails after the deadline while the connection looks up, and publishes again once the broker answers', async () => {
    await expect(publish()).resolves.toBeUndefined();

    proxy.stall();
    // Two at once, and a third after they failed: every one fails the same way.
    const failures = await Promise.all([failureOf(publish()), failureOf(publish())]);
    failures.push(await failureOf(publish()));
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(DependencyUnavailableError);
      expect(failure).toMatchObject({ message: `publish not confirmed within ${PUBLISH_TIMEOUT_MS} ms` });
    }
    // The deadline failed them, not a lost connection: the client still thinks it is connected.
    expect(client.connected).toBe(true);

    // The confirms held back arrive now, after their publishes failed, and change nothing.
    proxy.resume();
    await expect(publish()).resolves.toBeUndefined();
    expect(proxy.connections).toBe(1);
  });
});
