import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AmqpClient,
  amqpClientOptionsFromEnv,
  amqpEnvShape,
  connectToAnyNode,
  declareTopology,
  queuePolicies,
  topologyNames,
  withAmqpChecks,
  type QueuePolicy,
} from '@otpflow/amqp';
import { parseEnv } from '@otpflow/config';
import { createLogger, createMetricsRegistry } from '@otpflow/telemetry';
import { waitFor } from '@otpflow/testing';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeadLetterQueue } from '../../services/dispatcher/src/cli/dead-letters.js';
import { acceptAll, startStack, webhookMessage } from '../support/stack.js';
import { faultContext } from './support/fault-context.js';
import { freshMobile } from './support/steady-load.js';
import { prefixUser } from './support/broker-admin.js';
import { DedicatedRabbitMq } from './support/dedicated-rabbitmq.js';
import { printFigures } from './support/figures.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const amqpSchema = withAmqpChecks(z.object(amqpEnvShape));
const uniquePrefix = (label: string) => `test.${label}_${randomBytes(4).toString('hex')}`;

async function gauge(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((each) => each.name === name);
  const value = metric?.values.find((each) =>
    Object.entries(labels).every(([key, wanted]) => each.labels[key] === wanted),
  );
  return value?.value ?? Number.NaN;
}

async function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  body: string,
  options: { expiration?: string; headers?: Record<string, unknown> } = {},
): Promise<void> {
  channel.publish(exchange, routingKey, Buffer.from(body), { persistent: true, messageId: body, ...options });
  await channel.waitForConfirms();
}

/**
 * What the queue policies, the broker user's permissions and TLS do, on a RabbitMQ node of this test's
 * own (management plugin, a TLS listener that requires a client certificate, users created here; the
 * shared broker is never touched). Its dead-letter worker retries unconfirmed dead letters every
 * second instead of every 3 minutes, so a retained job shows within the test.
 */
/**
 * What the queue policies do, on a RabbitMQ node of this test's own (management plugin; the shared
 * broker is never touched): `require` refuses to run without them, at-least-once keeps a job whose way
 * back from a retry tier is cut, dead letters survive being listed and expire. The node's dead-letter
 * worker retries unconfirmed dead letters every second instead of every 3 minutes, so a retained job
 * shows within the test.
 */
describe('RabbitMQ queue policies', () => {
  let broker: DedicatedRabbitMq;
  let brokerVersion = '';
  let admin: ChannelModel;

  beforeAll(async () => {
    broker = await DedicatedRabbitMq.start({
      management: true,
      rabbitAppEnv: { dead_letter_worker_publisher_confirm_timeout: 1000 },
    });
    const overview = (await broker.admin.api('GET', '/api/overview')) as { rabbitmq_version: string };
    brokerVersion = overview.rabbitmq_version;
    admin = await connectToAnyNode({ urls: [broker.url], tls: {}, connectTimeoutMs: 5000 }, 'test-admin');
  }, 120_000);

  afterAll(async () => {
    await admin.close().catch(() => undefined);
    await broker.dispose();
  }, 60_000);

  it('require refuses to run until the policies are in effect; warn runs and reports them missing', async () => {
    const prefix = uniquePrefix('require');
    // A platform-managed deployment: the user may read queues (management tag), not set policies.
    const user = prefixUser(`verifier-${randomBytes(3).toString('hex')}`, prefix, ['management']);
    await broker.admin.addUser(user);
    const start = (mode: 'require' | 'warn', registry: Registry) =>
      AmqpClient.start(
        amqpClientOptionsFromEnv(
          parseEnv(amqpSchema, {
            RABBITMQ_URL: broker.urlFor(user),
            RABBITMQ_MANAGEMENT_URL: broker.node.managementUrl,
            RABBITMQ_POLICIES: mode,
            AMQP_PREFIX: prefix,
            RETRY_DELAYS_MS: '500',
          }),
          { name: `policy-${mode}`, logger, registry },
        ),
      );
    const requireRegistry = createMetricsRegistry();
    const warnRegistry = createMetricsRegistry();
    const required = await start('require', requireRegistry);
    const warned = await start('warn', warnRegistry);
    try {
      await warned.waitForConnect();
      // The management API is given time to show the queues (it lags a few seconds behind) before the
      // policies count as missing.
      await waitFor(
        async () =>
          (await gauge(requireRegistry, 'otpflow_rabbitmq_policy_state', { state: 'missing' })) === 1,
        { timeoutMs: 40_000, what: 'require to find the policies missing' },
      );
      expect(required.connected).toBe(false);
      expect(warned.connected).toBe(true);
      await waitFor(
        async () => (await gauge(warnRegistry, 'otpflow_rabbitmq_policy_state', { state: 'missing' })) === 1,
        { timeoutMs: 40_000, what: 'warn to report the policies missing' },
      );

      // The platform creates them (as the messaging-topology operator's Policy objects would).
      const startedAt = performance.now();
      for (const policy of Object.values(
        queuePolicies({ prefix, deadLetterTtlMs: 7 * 24 * 3600 * 1000, brokerVersion }),
      ))
        await broker.admin.putPolicy(policy);
      await waitFor(() => required.connected, { timeoutMs: 60_000, what: 'require to connect' });
      expect(await gauge(requireRegistry, 'otpflow_rabbitmq_policy_state', { state: 'in_effect' })).toBe(1);
      printFigures('policy require', {
        connectedAfterPoliciesMs: Math.round(performance.now() - startedAt),
      });
    } finally {
      await Promise.all([required.close(), warned.close()]);
    }
  }, 120_000);

  it('with the policy, a job whose way back from a retry tier is cut waits in the tier; without, it is lost', async () => {
    const withPolicy = uniquePrefix('alo');
    const without = uniquePrefix('amo');
    const channel = await admin.createConfirmChannel();
    try {
      for (const prefix of [withPolicy, without]) {
        await declareTopology(channel, { prefix, queueType: 'quorum', retryDelaysMs: [60_000] });
      }
      await broker.admin.putPolicy(
        queuePolicies({ prefix: withPolicy, deadLetterTtlMs: 60_000, brokerVersion }).jobs,
      );
      await waitFor(
        async () =>
          (await broker.admin.queue(topologyNames(withPolicy).retryQueue(60_000)))
            ?.effective_policy_definition?.['dead-letter-strategy'] === 'at-least-once',
        { timeoutMs: 10_000, what: 'the policy on the retry tier' },
      );
      for (const prefix of [withPolicy, without]) {
        const names = topologyNames(prefix);
        // The way back (retry tier → jobs exchange → work queue) is cut...
        await channel.unbindQueue(names.sendQueue, names.jobsExchange, names.sendRoutingKey);
        // ...while a job waits in the tier.
        await publishConfirmed(channel, names.retryExchange, names.retryRoutingKey(60_000), `job-${prefix}`, {
          expiration: '200',
        });
      }
      // Several of the dead-letter worker's retries go by with nowhere to deliver.
      await sleep(3_000);
      for (const prefix of [withPolicy, without]) {
        const names = topologyNames(prefix);
        await channel.bindQueue(names.sendQueue, names.jobsExchange, names.sendRoutingKey);
      }
      const reboundAt = performance.now();
      const arrived = await waitFor(
        async () => ((await broker.admin.queue(topologyNames(withPolicy).sendQueue))?.messages ?? 0) > 0,
        { timeoutMs: 15_000, what: 'the retained job to reach the work queue' },
      ).then(
        () => true,
        () => false,
      );
      expect(arrived).toBe(true);
      const arrivedAfterMs = Math.round(performance.now() - reboundAt);
      // The same wait again: at-most-once dropped its job for good.
      await sleep(3_000);
      expect((await broker.admin.queue(topologyNames(without).sendQueue))?.messages).toBe(0);
      expect((await broker.admin.queue(topologyNames(without).retryQueue(60_000)))?.messages).toBe(0);
      printFigures('at-least-once dead-lettering', { cutForMs: 3000, arrivedAfterRebindMs: arrivedAfterMs });
    } finally {
      await channel.close().catch(() => undefined);
    }
  }, 60_000);

  it('a job whose retry tier cannot take it for a while is retried, not burned through its delivery limit', async () => {
    // The work queue's delivery limit (20) counts every time a job is given back. When the dispatcher
    // cannot move a failed job on (its retry tier is electing a leader, or unreachable), it gives the
    // job back: done at once, in a loop, that would spend the 20 in a second and dead-letter the job.
    const base = faultContext('tiercut', { rabbitUrl: 'amqp://dedicated-broker' }, { retryDelaysMs: [1000] });
    const context = { ...base, rabbitUrl: broker.url };
    const env = { RABBITMQ_MANAGEMENT_URL: broker.node.managementUrl, RABBITMQ_POLICIES: 'apply' };
    const stack = await startStack('tiercut', { context, gatewayEnv: env, dispatcherEnv: env });
    const seen = new Set<string>();
    stack.webhook.respondWith((request) => {
      const { authenticationId } = webhookMessage(request);
      if (seen.has(authenticationId)) return acceptAll();
      seen.add(authenticationId);
      return { status: 503, body: '{}' };
    });
    const names = topologyNames(context.topology.prefix);
    const channel = await admin.createChannel();
    try {
      await waitFor(
        async () =>
          (await broker.admin.queue(names.sendQueue))?.effective_policy_definition?.['delivery-limit'] === 20,
        { timeoutMs: 30_000, what: 'the delivery limit on the work queue' },
      );
      // The tier is cut off: every republish to it is returned as unroutable.
      await channel.unbindQueue(names.retryQueue(1000), names.retryExchange, names.retryRoutingKey(1000));
      const authenticationId = await stack.sendCode(freshMobile());
      await waitFor(() => seen.has(authenticationId), { timeoutMs: 10_000, what: 'the first attempt' });
      await sleep(8_000);
      const deadMeanwhile = (await broker.admin.queue(names.deadQueue))?.messages ?? 0;
      await channel.bindQueue(names.retryQueue(1000), names.retryExchange, names.retryRoutingKey(1000));
      const delivered = await stack.codeFor(authenticationId, 40_000).then(
        () => true,
        () => false,
      );
      printFigures('tier unavailable 8 s', { deadLetteredMeanwhile: deadMeanwhile, delivered });
      expect(deadMeanwhile).toBe(0);
      expect(delivered).toBe(true);
    } finally {
      await channel.close().catch(() => undefined);
      await stack.stop();
    }
  }, 90_000);

  describe('dead letters', () => {
    async function deadLetters(prefix: string, count: number, deadLetterPolicy?: QueuePolicy) {
      const channel = await admin.createConfirmChannel();
      await declareTopology(channel, { prefix, queueType: 'quorum', retryDelaysMs: [1000] });
      if (deadLetterPolicy) {
        await broker.admin.putPolicy(deadLetterPolicy);
        await waitFor(
          async () =>
            Object.keys(
              (await broker.admin.queue(topologyNames(prefix).deadQueue))?.effective_policy_definition ?? {},
            ).length > 0,
          { timeoutMs: 10_000, what: 'the dead-letter policy in effect' },
        );
      }
      for (let index = 0; index < count; index += 1)
        await publishConfirmed(channel, topologyNames(prefix).deadExchange, '', `dead-${prefix}-${index}`, {
          headers: { 'x-otp-reason': 'max_attempts' },
        });
      await channel.close();
      return new DeadLetterQueue(admin, prefix);
    }

    it('can be listed again and again: none is dropped, though every list counts as a delivery', async () => {
      const prefix = uniquePrefix('dlqlist');
      const policy = queuePolicies({ prefix, deadLetterTtlMs: 600_000, brokerVersion }).deadLetters;
      const queue = await deadLetters(prefix, 5, policy);
      // RabbitMQ 4 gives every quorum queue a delivery limit of 20 unless told otherwise; 3.x none. The
      // same broker with that limit on its dead letters (what our policy must never leave in place):
      const limited = uniquePrefix('dlq20');
      const limitedQueue = await deadLetters(limited, 5, {
        ...policy,
        name: `${limited}.rabbitmq4-default`,
        pattern: `^${limited.replace(/\./g, '\\.')}\\.send\\.dead$`,
        definition: { 'delivery-limit': 20 },
      });
      const counts: number[] = [];
      const limitedCounts: number[] = [];
      for (let list = 0; list < 25; list += 1) {
        counts.push((await queue.list(100)).length);
        limitedCounts.push((await limitedQueue.list(100)).length);
      }
      expect(new Set(counts)).toEqual(new Set([5]));
      // Each list is a delivery: past the limit, RabbitMQ drops them.
      expect(limitedCounts.at(-1)).toBe(0);
      const peek = await admin.createChannel();
      const message = await peek.get(topologyNames(prefix).deadQueue, { noAck: false });
      await peek.close();
      expect(Number(message && message.properties.headers?.['x-delivery-count'])).toBeGreaterThanOrEqual(25);
      printFigures('dlq list', {
        lists: 25,
        keptWithPolicy: counts.at(-1),
        keptWithDeliveryLimit20: limitedCounts.at(-1),
        listsBeforeTheFirstDrop: limitedCounts.findIndex((count) => count < 5) + 1,
      });
    }, 60_000);

    it('expire after DEAD_LETTER_TTL_MS, and are dropped; without the policy they never do', async () => {
      const prefix = uniquePrefix('dlqttl');
      const ttlMs = 1_500;
      // Taken before the letters are published, so the time measured is never shorter than their real
      // age (a loaded machine must not make a correct TTL look early); the list right after shows they
      // did not expire at once.
      const publishedAt = performance.now();
      const expiring = await deadLetters(
        prefix,
        3,
        queuePolicies({ prefix, deadLetterTtlMs: ttlMs, brokerVersion }).deadLetters,
      );
      const keptPrefix = uniquePrefix('dlqkeep');
      const keeping = await deadLetters(keptPrefix, 3);
      expect((await expiring.list(10)).length).toBe(3);
      await waitFor(async () => (await expiring.list(10)).length === 0, {
        timeoutMs: 20_000,
        intervalMs: 200,
        what: 'the dead letters to expire',
      });
      const goneAfterMs = performance.now() - publishedAt;
      expect(goneAfterMs).toBeGreaterThanOrEqual(ttlMs * 0.8);
      expect((await keeping.list(10)).length).toBe(3);
      // A running deployment that gets the policy: a quorum queue stamps a message's expiry when it
      // arrives, so dead letters already there stay (docs/deployment.md: purge or replay them once).
      await broker.admin.putPolicy(
        queuePolicies({ prefix: keptPrefix, deadLetterTtlMs: ttlMs, brokerVersion }).deadLetters,
      );
      await waitFor(
        async () =>
          (await broker.admin.queue(topologyNames(keptPrefix).deadQueue))?.effective_policy_definition?.[
            'message-ttl'
          ] === ttlMs,
        { timeoutMs: 20_000, what: 'the policy on the older dead letters' },
      );
      await sleep(ttlMs * 3);
      const olderKept = (await keeping.list(10)).length;
      expect(olderKept).toBe(3);
      printFigures('dlq expiry', {
        ttlMs,
        goneAfterMs: Math.round(goneAfterMs),
        olderKeptAfter3Ttl: olderKept,
      });
    }, 60_000);
  });
});
