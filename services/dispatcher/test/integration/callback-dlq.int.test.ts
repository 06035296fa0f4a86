import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AmqpClient } from '@otpflow/amqp';
import { newWebhookSecret, sealWebhookSecret, type CallbackEventType } from '@otpflow/contracts';
import { connectMongo, newEndpointId, WebhookEndpoints, type WebhookEndpoint } from '@otpflow/mongo';
import { createLogger } from '@otpflow/telemetry';
import { createTestContext, REPOSITORY_ROOT, waitFor, type TestContext } from '@otpflow/testing';
import type { Connection } from 'mongoose';
import { Registry } from 'prom-client';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpCallbacks } from '../../src/callbacks/amqp-callbacks.js';
import { CallbackFanout } from '../../src/callbacks/callback-fanout.js';
import { CallbackMetrics } from '../../src/callbacks/callback-metrics.js';
import { CallbackSender } from '../../src/callbacks/callback-sender.js';
import { CallbackWorker } from '../../src/callbacks/callback-worker.js';
import type { CallbackDeadLetter } from '../../src/cli/callback-dead-letters.js';
import { event, keys } from '../component/callbacks/callback-harness.js';
import { FakeHttpServer } from '../fakes/fake-http-server.js';

const logger = createLogger({ service: 'dispatcher', level: 'silent' });
const run = promisify(execFile);

/**
 * `npm run dlq -- --queue callbacks`, the built CLI as an operator runs it, against real RabbitMQ and
 * the MongoDB-compatible server. The dead callbacks are real ones: endpoints on 127.0.0.1 that the
 * worker refuses (no CALLBACK_ALLOW_PRIVATE_ADDRESSES), dead-lettered as address_refused.
 */
describe('dlq --queue callbacks', () => {
  let context: TestContext;
  let mongo: Connection;
  let amqp: AmqpClient;
  let endpoints: WebhookEndpoints;
  let running: { callbacks: AmqpCallbacks; sender: CallbackSender; fanout: CallbackFanout } | undefined;
  const servers: FakeHttpServer[] = [];

  async function dlq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      RABBITMQ_URL: context.rabbitUrl,
      AMQP_PREFIX: context.topology.prefix,
      AMQP_QUEUE_TYPE: context.topology.queueType,
      MONGODB_URL: context.mongoUrl,
      JOB_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
    };
    const cli = 'services/dispatcher/dist/cli/dlq.js';
    return run(process.execPath, [cli, ...args], { cwd: REPOSITORY_ROOT, env, timeout: 20_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      // A non-zero exit: execFile's error carries the code and both outputs.
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
  }

  /** The worker, sending as the setting says, over the real callbacks queues. */
  async function startWorker(allowPrivateAddresses: boolean): Promise<void> {
    await running?.callbacks.stop();
    await running?.sender.close();
    const metrics = new CallbackMetrics(new Registry());
    const callbacks = new AmqpCallbacks(amqp, {
      topology: { ...context.topology, callbackRetryDelaysMs: context.topology.retryDelaysMs },
      fanoutPrefetch: 4,
      workerPrefetch: 4,
      giveBackMs: 100,
      logger,
    });
    const sender = new CallbackSender({ timeoutMs: 2_000, allowPrivateAddresses });
    const worker = new CallbackWorker({
      post: sender.send,
      keys,
      maxAttempts: 3,
      tiersMs: context.topology.retryDelaysMs,
      perEndpointConcurrency: 4,
      metrics,
      logger,
    });
    const fanout = new CallbackFanout({ endpoints, enqueue: callbacks.enqueue, metrics, logger });
    await callbacks.start(fanout, worker);
    running = { callbacks, sender, fanout };
  }

  async function endpoint(
    url: string,
    events: CallbackEventType[],
  ): Promise<WebhookEndpoint & { secret: string }> {
    const endpointId = newEndpointId();
    const secret = newWebhookSecret();
    const now = new Date();
    const created = {
      endpointId,
      clientId: 'tenant-a',
      url,
      events,
      enabled: true,
      sealedSecret: sealWebhookSecret(secret, keys, { clientId: 'tenant-a', endpointId }),
      createdAt: now,
      updatedAt: now,
    };
    await endpoints.insert(created);
    return { ...created, secret };
  }

  /** Waits until the callbacks' dead-letter queue holds `count` letters, as the CLI lists them. */
  async function deadLetters(count: number): Promise<CallbackDeadLetter[]> {
    return waitFor(
      async () => {
        const { stdout } = await dlq('--queue', 'callbacks', 'list', '--json');
        const listed = JSON.parse(stdout) as CallbackDeadLetter[];
        return listed.length === count ? listed : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: `${count} dead callbacks` },
    );
  }

  beforeAll(async () => {
    context = createTestContext('cbdlq');
    mongo = await connectMongo(
      { url: context.mongoUrl, maxPoolSize: 5, serverSelectionTimeoutMs: 5000, connectTimeoutMs: 5000 },
      logger,
    );
    endpoints = new WebhookEndpoints(mongo.getClient().db(mongo.name));
    amqp = await AmqpClient.start({
      broker: { urls: [context.rabbitUrl], tls: {}, connectTimeoutMs: 5_000 },
      name: 'test-callback-dlq',
      topology: context.topology,
      logger,
      publishTimeoutMs: 5_000,
    });
    await amqp.waitForConnect();
  });
  afterAll(async () => {
    await running?.callbacks.stop();
    await running?.sender.close();
    await amqp.close();
    await mongo.close();
    await Promise.all(servers.map((server) => server.close()));
    await context.dispose();
  });

  it('lists, purges and replays dead callbacks; a replay goes to the endpoint as it is now', async () => {
    const first = await new FakeHttpServer(() => ({ status: 204 })).start();
    const moved = await new FakeHttpServer(() => ({ status: 204 })).start();
    servers.push(first, moved);
    const kept = await endpoint(`${first.url}/hooks/kept`, ['verification.sent']);
    const gone = await endpoint(`${first.url}/hooks/gone`, ['verification.sent']);
    await startWorker(false);

    // Refused, dead-lettered, purged: only with --yes.
    expect(await running?.fanout.handle(event('code.sent'))).toBe('queued');
    await deadLetters(2);
    expect((await dlq('--queue', 'callbacks', 'purge')).code).toBe(2);
    expect((await dlq('--queue', 'callbacks', 'purge', '--yes')).stdout).toBe('purged 2 dead letters\n');

    expect(await running?.fanout.handle(event('code.sent'))).toBe('queued');
    const letters = await deadLetters(2);
    const host = new URL(first.url).host;
    expect(letters.find((letter) => letter.endpointId === kept.endpointId)).toMatchObject({
      clientId: 'tenant-a',
      type: 'verification.sent',
      host,
      reason: 'address_refused',
      lastError: 'address_refused: 127.0.0.1 is 127.0.0.1 (loopback)',
      attempts: 1,
    });
    expect(first.requests).toHaveLength(0);
    // The send path's dead letters are another queue: the default one, empty here.
    expect((await dlq('list')).stdout).toBe('the dead-letter queue is empty\n');
    expect((await dlq('--queue', 'callbacks', 'list')).stdout).toMatch(/reason=address_refused/);

    // The tenant moves its endpoint and rotates its secret; the other endpoint is deleted.
    const secret = newWebhookSecret();
    await endpoints.update('tenant-a', kept.endpointId, {
      url: `${moved.url}/hooks/moved`,
      sealedSecret: sealWebhookSecret(secret, keys, { clientId: 'tenant-a', endpointId: kept.endpointId }),
    });
    await endpoints.remove('tenant-a', gone.endpointId);
    await startWorker(true);

    const keptLetter = letters.find((letter) => letter.endpointId === kept.endpointId);
    const replayed = await dlq('--queue', 'callbacks', 'replay', '--job', keptLetter?.jobId ?? '');
    expect(replayed.stdout).toBe(`${keptLetter?.jobId}  replayed\nreplayed 1, dropped 0\n`);
    const [request] = await waitFor(() => (moved.requests.length > 0 ? moved.requests : undefined), {
      what: 'the replayed callback at the moved endpoint',
    });
    expect(request?.path).toBe('/hooks/moved');
    expect(request?.headers['webhook-id']).toBe(keptLetter?.webhookId);
    const payload = new Webhook(secret).verify(request?.body ?? '', {
      'webhook-id': String(request?.headers['webhook-id']),
      'webhook-timestamp': String(request?.headers['webhook-timestamp']),
      'webhook-signature': String(request?.headers['webhook-signature']),
    });
    expect(payload).toMatchObject({ type: 'verification.sent' });

    const goneLetter = letters.find((letter) => letter.endpointId === gone.endpointId);
    expect((await dlq('--queue', 'callbacks', 'replay')).stdout).toBe(
      `${goneLetter?.jobId}  dropped_endpoint_gone\nreplayed 0, dropped 1\n`,
    );
    expect(JSON.parse((await dlq('--queue', 'callbacks', 'list', '--json')).stdout)).toEqual([]);
    expect(first.requests).toHaveLength(0);
  }, 90_000);

  it('refuses a queue it does not know', async () => {
    const answer = await dlq('--queue', 'events', 'list');
    expect(answer.code).toBe(2);
    expect(answer.stderr).toMatch(/--queue send\|callbacks/);
  });
});
