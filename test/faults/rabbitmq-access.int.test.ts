import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectToAnyNode,
  queuePolicies,
  topologyNames,
  type BrokerSettings,
  type QueuePolicy,
} from '@otpflow/amqp';
import { createLogger } from '@otpflow/telemetry';
import { waitFor } from '@otpflow/testing';
import type { ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as loadMetricsConfig } from '../../services/metrics/src/config.js';
import {
  startMetricsService,
  type RunningMetricsService,
} from '../../services/metrics/src/metrics-service.js';
import { sharedEnv, startStack, type Stack } from '../support/stack.js';
import { prefixUser, type BrokerUser } from './support/broker-admin.js';
import { DedicatedRabbitMq } from './support/dedicated-rabbitmq.js';
import { faultContext } from './support/fault-context.js';
import { freshMobile } from './support/steady-load.js';
import { makeTestPki, type TestPki } from './support/test-certificates.js';

/**
 * The broker user and the transport production uses, on a RabbitMQ node of this test's own (management
 * plugin, a TLS listener that requires a client certificate of the test's CA, users created here; the
 * shared broker is never touched): the whole flow as a user allowed only its prefix, over TLS, and
 * what that user and that listener refuse.
 */
describe('RabbitMQ least privilege and TLS', () => {
  let dir = '';
  let pki: TestPki;
  let broker: DedicatedRabbitMq;
  let brokerVersion = '';
  let admin: ChannelModel;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otpflow-pki-'));
    pki = await makeTestPki(dir);
    broker = await DedicatedRabbitMq.start({
      management: true,
      tls: { caFile: pki.caFile, certFile: pki.server.certFile, keyFile: pki.server.keyFile },
    });
    const overview = (await broker.admin.api('GET', '/api/overview')) as { rabbitmq_version: string };
    brokerVersion = overview.rabbitmq_version;
    admin = await connectToAnyNode({ urls: [broker.url], tls: {}, connectTimeoutMs: 5000 }, 'test-admin');
  }, 120_000);

  afterAll(async () => {
    await admin.close().catch(() => undefined);
    await broker.dispose();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  /** The TLS settings a service gets: the CA, its client certificate, the broker's name. */
  const tlsEnv = () => ({
    RABBITMQ_TLS_CA_FILE: pki.caFile,
    RABBITMQ_TLS_CERT_FILE: pki.client.certFile,
    RABBITMQ_TLS_KEY_FILE: pki.client.keyFile,
    RABBITMQ_TLS_SERVERNAME: pki.serverName,
  });

  describe('a deployment allowed only its prefix, over TLS, applying its policies', () => {
    let stack: Stack | undefined;
    let metrics: RunningMetricsService | undefined;
    let user: BrokerUser;

    beforeAll(async () => {
      const base = faultContext(
        'leastpriv',
        { rabbitUrl: 'amqp://dedicated-broker' },
        { retryDelaysMs: [300] },
      );
      // Exactly what production's otpflow user gets: its prefix, and the tag to set policies.
      user = prefixUser(`otpflow-${randomBytes(3).toString('hex')}`, base.topology.prefix, ['policymaker']);
      await broker.admin.addUser(user);
      const context = { ...base, rabbitUrl: broker.urlFor(user, { tls: true }) };
      const brokerEnv = {
        ...tlsEnv(),
        RABBITMQ_MANAGEMENT_URL: broker.node.managementUrl,
        RABBITMQ_POLICIES: 'apply',
      };
      stack = await startStack('leastpriv', { context, gatewayEnv: brokerEnv, dispatcherEnv: brokerEnv });
      metrics = await startMetricsService(
        loadMetricsConfig({ ...sharedEnv(context), ...brokerEnv }),
        createLogger({ service: 'metrics', level: 'silent' }),
      );
      await metrics.amqp.waitForConnect();
    }, 120_000);

    afterAll(async () => {
      await metrics?.shutdown('test finished');
      await stack?.stop();
    }, 60_000);

    it('delivers a code end to end, with the policies in effect on every queue', async () => {
      if (!stack) throw new Error('setup failed');
      const authenticationId = await stack.sendCode(freshMobile());
      const code = await stack.codeFor(authenticationId);
      expect(await stack.validateCode(authenticationId, code)).toBe(204);

      const { prefix, retryDelaysMs } = stack.context.topology;
      const names = topologyNames(prefix);
      const policies = queuePolicies({ prefix, deadLetterTtlMs: 7 * 24 * 3600 * 1000, brokerVersion });
      const expected: [string, QueuePolicy][] = [
        [names.sendQueue, policies.jobs],
        ...retryDelaysMs.map((delay): [string, QueuePolicy] => [names.retryQueue(delay), policies.jobs]),
        [names.deadQueue, policies.deadLetters],
      ];
      // The management API shows a queue's policy a few seconds after the fact.
      for (const [queue, policy] of expected) {
        const effective = await waitFor(
          async () => (await broker.admin.queue(queue))?.effective_policy_definition,
          { timeoutMs: 30_000, intervalMs: 250, what: `the policy of ${queue}` },
        );
        expect(effective, queue).toEqual(policy.definition);
      }
    });

    it('is refused every name outside its prefix, the default exchange included', async () => {
      const settings: BrokerSettings = {
        urls: [broker.urlFor(user)],
        tls: {},
        connectTimeoutMs: 5000,
      };
      const connection = await connectToAnyNode(settings, 'least-privilege-probe');
      try {
        const declare = await connection.createChannel();
        declare.on('error', () => undefined);
        await expect(declare.assertQueue('elsewhere.queue', { durable: true })).rejects.toMatchObject({
          code: 403,
        });
        const publish = await connection.createConfirmChannel();
        publish.on('error', () => undefined);
        publish.publish('', 'elsewhere.queue', Buffer.from('x'));
        await expect(publish.waitForConfirms()).rejects.toThrow();
        // Reading a queue outside the prefix (one that exists) is refused too.
        const elsewhere = `elsewhere.${randomBytes(3).toString('hex')}`;
        const setup = await admin.createChannel();
        await setup.assertQueue(elsewhere, { durable: false, autoDelete: true });
        const consume = await connection.createChannel();
        consume.on('error', () => undefined);
        await expect(consume.consume(elsewhere, () => undefined)).rejects.toMatchObject({ code: 403 });
        await setup.deleteQueue(elsewhere);
        await setup.close();
      } finally {
        await connection.close().catch(() => undefined);
      }
    });
  });

  it('connects over TLS only with the trusted CA, a client certificate of it and the right name', async () => {
    const user = prefixUser(`tls-${randomBytes(3).toString('hex')}`, 'tls', []);
    await broker.admin.addUser(user);
    const url = broker.urlFor(user, { tls: true });
    const file = (path: string) => readFileSync(path);
    const attempt = (tls: BrokerSettings['tls']) =>
      connectToAnyNode({ urls: [url], tls, connectTimeoutMs: 5000 }, 'tls-probe').then(
        async (connection) => {
          await connection.close();
          return 'connected';
        },
        () => 'refused',
      );
    const good = {
      ca: file(pki.caFile),
      cert: file(pki.client.certFile),
      key: file(pki.client.keyFile),
      servername: pki.serverName,
    };
    const outcomes = {
      trusted: await attempt(good),
      noClientCertificate: await attempt({ ca: good.ca, servername: pki.serverName }),
      strangersCertificate: await attempt({
        ...good,
        cert: file(pki.stranger.certFile),
        key: file(pki.stranger.keyFile),
      }),
      brokerNotTrusted: await attempt({ ...good, ca: file(pki.strangerCaFile) }),
      wrongServerName: await attempt({ ...good, servername: 'someone-else.test' }),
    };
    expect(outcomes).toEqual({
      trusted: 'connected',
      noClientCertificate: 'refused',
      strangersCertificate: 'refused',
      brokerNotTrusted: 'refused',
      wrongServerName: 'refused',
    });
  });
});
