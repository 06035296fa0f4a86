import { setTimeout as sleep } from 'node:timers/promises';
import { topologyNames } from '@otpflow/amqp';
import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CannedResponse,
  CapturedRequest,
} from '../../services/dispatcher/test/fakes/fake-http-server.js';
import { acceptAll, API_KEY, startStack, webhookMessage, type Stack } from '../support/stack.js';
import { prefixUser } from './support/broker-admin.js';
import { faultContext } from './support/fault-context.js';
import { printFigures } from './support/figures.js';
import { RabbitMqCluster } from './support/rabbitmq-cluster.js';
import { sendCodeLoad, type Sample } from './support/steady-load.js';

/** The retry tier the jobs wait in: long enough to be caught there by the fault. */
const TIER_MS = 4_000;
const UNAVAILABLE = { status: 503, code: 'UNAVAILABLE', message: 'Service Unavailable.' };
const round = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms));

/**
 * The in-house SMS gateway refuses the first attempt of every code (503, transient) and takes the
 * second: every job goes through the retry tier, and is waiting there when the fault hits.
 */
function firstAttemptRefused(): (request: CapturedRequest) => CannedResponse {
  const seen = new Set<string>();
  return (request) => {
    const { authenticationId } = webhookMessage(request);
    if (seen.has(authenticationId)) return acceptAll();
    seen.add(authenticationId);
    return { status: 503, body: '{"error":"busy"}' };
  };
}

/**
 * otpflow on a three-node RabbitMQ cluster of this test's own (quorum queues with three replicas, the
 * queue policies applied by the services, a broker user allowed only the test's prefix). The gateway
 * and dispatcher get the three nodes in RABBITMQ_URL and fail over between them. Under a steady stream
 * of send-codes whose first delivery attempt always fails, so that jobs wait in the retry tier, the
 * tier's quorum leader is killed, and then the whole cluster restarts: every code the gateway accepted
 * must reach the provider exactly once.
 */
describe('a three-node RabbitMQ cluster: quorum leader killed, whole broker restarted', () => {
  let cluster: RabbitMqCluster | undefined;
  let stack: Stack | undefined;
  let clusterBootMs = 0;

  beforeAll(async () => {
    const startedAt = performance.now();
    cluster = await RabbitMqCluster.start({
      size: 3,
      rabbitAppEnv: { dead_letter_worker_publisher_confirm_timeout: 10_000 },
    });
    clusterBootMs = performance.now() - startedAt;
    const base = faultContext(
      'cluster',
      { rabbitUrl: 'amqp://dedicated-cluster' },
      { retryDelaysMs: [TIER_MS] },
    );
    const user = prefixUser('otpflow-cluster', base.topology.prefix, ['policymaker']);
    await cluster.admin.addUser(user);
    const brokerEnv = {
      RABBITMQ_MANAGEMENT_URL: cluster.managementUrls().join(','),
      RABBITMQ_POLICIES: 'apply',
      RABBITMQ_CONNECT_TIMEOUT_MS: '3000',
    };
    stack = await startStack('cluster', {
      context: { ...base, rabbitUrl: cluster.urls(user).join(',') },
      gatewayEnv: { ...brokerEnv, PUBLISH_TIMEOUT_MS: '3000', CLIENT_RATE_LIMIT: '100000' },
      // Every code fails once on purpose: the provider's circuit breaker must not take that for an outage.
      dispatcherEnv: { ...brokerEnv, CIRCUIT_BREAKER_FAILURES: '1000000' },
    });
    stack.webhook.respondWith(firstAttemptRefused());
  }, 300_000);

  afterAll(async () => {
    if (cluster && cluster.nodes.some((node) => !node.running))
      await cluster.bootAll().catch(() => undefined);
    await stack?.stop();
    await cluster?.dispose();
  }, 120_000);

  /**
   * Runs the load, applies the fault once jobs wait in the retry tier, then checks every answer and
   * every delivery; returns the figures.
   */
  const diagnose = (lost: readonly string[]) => {
    if (!stack || !cluster) throw new Error('setup failed');
    return diagnoseWith(stack, cluster, lost);
  };

  async function underLoad(what: string, fault: () => Promise<Record<string, unknown>>): Promise<void> {
    if (!stack || !cluster) throw new Error('setup failed');
    const { gateway } = stack;
    const names = topologyNames(stack.context.topology.prefix);
    const tier = names.retryQueue(TIER_MS);
    const deliveredBefore = new Set(stack.accepted().map((message) => message.authenticationId));
    const origin = performance.now();
    const sends = sendCodeLoad(gateway.url, {
      apiKey: API_KEY,
      gapMs: 80,
      timeoutMs: 15_000,
      origin,
      workers: 3,
    }).start();

    // Jobs of this run wait in the tier (the broker's counts lag a few seconds behind).
    await waitFor(() => sends.samples.filter((sample) => sample.status === 200).length >= 20, {
      timeoutMs: 60_000,
      what: '20 codes accepted',
    });
    const waiting = await waitFor(
      async () => {
        const messages = (await cluster?.admin.queue(tier))?.messages ?? 0;
        return messages >= 10 ? messages : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'jobs waiting in the retry tier' },
    );
    const faultAt = sends.now();
    const faultFigures = await fault();
    const recoveredAt = sends.now();
    await waitFor(
      () => sends.samples.some((sample) => sample.startedAt > recoveredAt && sample.status === 200),
      { timeoutMs: 60_000, what: 'a send-code answered 200 after the fault' },
    );
    await sleep(2_000);
    const samples = await sends.stop();

    // Every answer is a 200 with a session or the documented 503: nothing else, nothing unanswered.
    const unexpected = samples.filter((sample) => sample.status !== 200 && sample.status !== 503);
    expect(unexpected, JSON.stringify(unexpected.slice(0, 5))).toEqual([]);
    for (const sample of samples.filter((item) => item.status === 503))
      expect(sample.body).toEqual(UNAVAILABLE);
    const sessionIds = samples
      .filter((sample) => sample.status === 200)
      .map((sample) => (sample.body as { authenticationId: string }).authenticationId);

    // A delivery is what the in-house SMS gateway accepted under one Idempotency-Key (the job and its
    // run: the same for every attempt). A repeat under the same key is dropped by a gateway that honours
    // the key, as the webhook contract asks (docs/delivery.md); a second key would be a second SMS.
    const keysOf = () => {
      const keys = new Map<string, Set<string>>();
      for (const message of stack?.accepted() ?? [])
        if (!deliveredBefore.has(message.authenticationId))
          keys.set(
            message.authenticationId,
            (keys.get(message.authenticationId) ?? new Set()).add(message.idempotencyKey),
          );
      return keys;
    };
    const allDelivered = await waitFor(() => sessionIds.every((id) => keysOf().has(id)), {
      timeoutMs: 120_000,
      intervalMs: 250,
      what: 'every accepted code to be delivered',
    }).then(
      () => true,
      () => false,
    );
    const deliveredAt = sends.now();
    // Anything still on its way (a repeat in flight) has time to arrive before counting.
    await sleep(TIER_MS);
    const deliveries = keysOf();
    const lost = sessionIds.filter((id) => !deliveries.has(id));
    const twice = [...deliveries].filter(([, keys]) => keys.size > 1).map(([id]) => id);
    const acceptedRequests = stack
      .accepted()
      .filter((message) => !deliveredBefore.has(message.authenticationId)).length;
    const accepted = new Set(sessionIds);
    const figures = {
      requests: samples.length,
      ok200: sessionIds.length,
      unavailable503: samples.length - sessionIds.length,
      jobsInRetryTierAtFault: waiting,
      ...faultFigures,
      faultToFirst200Ms: round(firstAfter(samples, faultAt, 200)),
      lastDeliveryAfterFaultMs: round(deliveredAt - faultAt),
      delivered: sessionIds.filter((id) => deliveries.has(id)).length,
      lost: lost.length,
      deliveredTwice: twice.length,
      // Accepted again under a key already delivered: dropped by the gateway's idempotency.
      repeatsSameKey: acceptedRequests - [...deliveries.values()].reduce((sum, keys) => sum + keys.size, 0),
      // Sessions the client was told 503 about whose job the broker had after all (a confirm lost with
      // the connection): their codes cannot validate (the session was removed).
      deliveredAfter503: [...deliveries.keys()].filter((id) => !accepted.has(id)).length,
    };
    // Printed before the checks, so a failing run shows what happened.
    printFigures(`rabbitmq-cluster ${what}`, figures);
    if (lost.length > 0) printFigures(`rabbitmq-cluster ${what} lost`, await diagnose(lost));
    expect(allDelivered, JSON.stringify(figures)).toBe(true);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    expect(sessionIds.length).toBeGreaterThan(20);
  }

  it('the retry tier’s quorum leader is killed: jobs waiting there are all delivered, once', async () => {
    if (!stack || !cluster) throw new Error('setup failed');
    const { prefix } = stack.context.topology;
    const names = topologyNames(prefix);
    await underLoad('leader killed', async () => {
      if (!cluster || !stack) throw new Error('setup failed');
      const leader = await cluster.leaderOf(names.retryQueue(TIER_MS));
      const workLeader = await cluster.leaderOf(names.sendQueue);
      const nodesBefore = { gateway: stack.gateway.amqp.node, dispatcher: stack.dispatcher?.amqp.node };
      const killedAt = performance.now();
      await leader.stop('SIGKILL');
      const newLeader = await waitFor(
        async () => {
          const now = await cluster?.leaderOf(names.retryQueue(TIER_MS)).catch(() => undefined);
          return now && now !== leader ? now : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'a new leader of the retry tier' },
      );
      const electedAfterMs = performance.now() - killedAt;
      // The service connected to the killed node fails over to another.
      await waitFor(() => stack?.gateway.amqp.connected && stack.dispatcher?.amqp.connected, {
        timeoutMs: 30_000,
        what: 'gateway and dispatcher connected again',
      });
      const reconnectedAfterMs = performance.now() - killedAt;
      const nodesAfter = { gateway: stack.gateway.amqp.node, dispatcher: stack.dispatcher?.amqp.node };
      expect(Object.values(nodesAfter)).not.toContain(`amqp://127.0.0.1:${leader.options.amqpPort}`);
      await sleep(4_000);
      // The node comes back and rejoins (its replicas catch up), as after a crash in production.
      const rebootAt = performance.now();
      await leader.boot();
      await cluster.waitUntilFormed();
      return {
        killed: leader.nodeName,
        alsoWorkQueueLeader: workLeader === leader,
        newLeader: newLeader.nodeName,
        leaderElectedAfterMs: round(electedAfterMs),
        servicesConnectedAgainAfterMs: round(reconnectedAfterMs),
        gatewayNode: `${nodesBefore.gateway ?? '-'} → ${nodesAfter.gateway ?? '-'}`,
        dispatcherNode: `${nodesBefore.dispatcher ?? '-'} → ${nodesAfter.dispatcher ?? '-'}`,
        killedNodeRejoinedMs: round(performance.now() - rebootAt),
      };
    });
  }, 300_000);

  it('the whole cluster restarts: jobs waiting in the retry tier are all delivered, once', async () => {
    await underLoad('full restart', async () => {
      if (!cluster) throw new Error('setup failed');
      const stopAt = performance.now();
      await cluster.stopAll('SIGTERM');
      const stoppedAfterMs = performance.now() - stopAt;
      // Down for longer than the tier's delay: the waiting jobs' time runs out while no node is up.
      await sleep(TIER_MS + 1_000);
      const bootAt = performance.now();
      await cluster.bootAll();
      return {
        clusterStopTookMs: round(stoppedAfterMs),
        clusterDownForMs: round(bootAt - stopAt),
        clusterBootTookMs: round(performance.now() - bootAt),
        firstClusterBootMs: round(clusterBootMs),
      };
    });
  }, 300_000);
});

/** Where lost codes are: their delivery records, and what every queue of the topology holds. */
async function diagnoseWith(
  stack: Stack,
  cluster: RabbitMqCluster,
  lost: readonly string[],
): Promise<Record<string, unknown>> {
  const names = topologyNames(stack.context.topology.prefix);
  const queues: Record<string, unknown> = {};
  for (const queue of [names.sendQueue, names.retryQueue(TIER_MS), names.deadQueue]) {
    const info = (await cluster.admin.api('GET', `/api/queues/%2F/${encodeURIComponent(queue)}`)) as
      Record<string, unknown> | undefined;
    queues[queue] = info
      ? {
          messages: info.messages,
          ready: info.messages_ready,
          unacked: info.messages_unacknowledged,
          dlx: info.messages_dlx,
          leader: info.leader,
          online: info.online,
          consumers: info.consumers,
        }
      : 'missing';
  }
  const records = await Promise.all(
    lost.slice(0, 5).map(async (id) => {
      const delivery = await stack.delivery(id);
      return { id, status: delivery?.status ?? 'no record', attempts: delivery?.attempts };
    }),
  );
  const requests = stack.webhook.requests.filter((request) =>
    lost.includes(webhookMessage(request).authenticationId),
  );
  // Why the dead letters are there (the dispatcher's reason, or the broker's latest x-death).
  const dead = (await cluster.admin.api(
    'POST',
    `/api/queues/%2F/${encodeURIComponent(names.deadQueue)}/get`,
    { count: 3, ackmode: 'ack_requeue_true', encoding: 'auto' },
  )) as { properties?: { headers?: Record<string, unknown> } }[] | undefined;
  const deadReasons = (dead ?? []).map((message) => {
    const headers = message.properties?.headers ?? {};
    const deaths = headers['x-death'] as { reason?: string; queue?: string; count?: number }[] | undefined;
    return { otpReason: headers['x-otp-reason'], brokerDeath: deaths?.[0] };
  });
  // What the nodes said about dead-lettering (they log at warning level and above).
  const brokerLog = cluster.nodes.flatMap((node) =>
    node
      .output()
      .split('\n')
      .filter((line) => /dlx|dead.letter/i.test(line))
      .slice(-5)
      .map((line) => `${node.nodeName}: ${line.slice(0, 300)}`),
  );
  return { queues, records, deadReasons, webhookRequestsForLost: requests.length, brokerLog };
}

function firstAfter(samples: Sample[], since: number, status: number): number | undefined {
  const sample = samples.find((each) => each.startedAt > since && each.status === status);
  return sample ? sample.endedAt - since : undefined;
}
