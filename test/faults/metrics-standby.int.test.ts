import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { topologyNames } from '@otpflow/amqp';
import { EVENT_SCHEMA, type OtpEvent } from '@otpflow/contracts';
import { createTestContext, freePort, type TestContext, waitFor, waitUntilServing } from '@otpflow/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@otpflow/telemetry';
import { loadConfig } from '../../services/metrics/src/config.js';
import { startMetricsService } from '../../services/metrics/src/metrics-service.js';
import { ChildService } from '../support/child-service.js';
import { sharedEnv } from '../support/stack.js';
import { printFigures } from './support/figures.js';

interface Replica {
  name: string;
  service: ChildService;
  url: string;
}

/** A replica's count of events by outcome (counted, duplicate, invalid), from its /metrics. */
async function counts(replica: Replica): Promise<Record<string, number> | undefined> {
  try {
    const text = await (await fetch(`${replica.url}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    const result: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const match = /^otpflow_metrics_events_total\{outcome="(\w+)"[^}]*\} (\d+)/.exec(line);
      if (match?.[1]) result[match[1]] = Number(match[2]);
    }
    return result;
  } catch {
    return undefined;
  }
}

const counted = async (replica: Replica) => (await counts(replica))?.counted ?? 0;

/**
 * Two metrics service processes on one events queue. The queue has a single active consumer: one
 * replica counts, the other stands by; when the active one stops (a rolling update, a scale-down), it
 * hands over at once and keeps its final counts on /metrics for a scrape (SHUTDOWN_GRACE_MS), and the
 * standby counts on. Every event is counted once, by one of them.
 */
describe('a second metrics replica', () => {
  let context: TestContext;
  let broker: ChannelModel;
  let channel: ConfirmChannel;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    context = createTestContext('standby');
    context.alsoDeleteQueues(topologyNames(context.topology.prefix).eventsQueue('metrics'));
    for (const name of ['first', 'second']) {
      const port = await freePort();
      const service = new ChildService('metrics', {
        ...sharedEnv(context),
        PORT: String(port),
        LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_MS: '4000',
      }).start();
      const replica = { name, service, url: `http://127.0.0.1:${port}` };
      replicas.push(replica);
      await waitUntilServing(replica.url, {
        timeoutMs: 30_000,
        what: `the ${name} metrics replica to be ready`,
        output: () => service.output.join(''),
      });
    }
    broker = await connect(context.rabbitUrl);
    channel = await broker.createConfirmChannel();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.service.stop('SIGKILL')));
    await broker.close().catch(() => undefined);
    await context.dispose();
  }, 30_000);

  let published = 0;
  async function publish(count: number): Promise<void> {
    const exchange = topologyNames(context.topology.prefix).eventsExchange;
    for (let index = 0; index < count; index += 1) {
      const event: OtpEvent = {
        schema: EVENT_SCHEMA,
        eventId: randomUUID(),
        type: 'code.requested',
        occurredAt: new Date().toISOString(),
        authenticationId: randomUUID(),
        clientId: 'standby-client',
        channel: 'sms',
        countryCallingCode: '34',
        requestedAt: new Date().toISOString(),
      };
      channel.publish(exchange, event.type, Buffer.from(JSON.stringify(event)), { messageId: event.eventId });
    }
    await channel.waitForConfirms();
    published += count;
  }

  it('counts every event once: one replica active, the other standing by, then taking over', async () => {
    const [first, second] = replicas;
    if (!first || !second) throw new Error('setup failed');
    await publish(300);
    await waitFor(async () => (await counted(first)) + (await counted(second)) === published, {
      timeoutMs: 20_000,
      what: 'the first events to be counted',
    });
    const before = { first: await counted(first), second: await counted(second) };
    // One of them counted everything: the other only stood by.
    expect([before.first, before.second].sort((a, b) => a - b)).toEqual([0, published]);
    const [active, standby] = before.first > 0 ? [first, second] : [second, first];

    // Events keep coming while the active replica is stopped.
    const streaming = { on: true };
    const stream = (async () => {
      while (streaming.on) {
        await publish(20);
        await sleep(20);
      }
    })();
    await sleep(1_000);
    const stopped = active.service.stop('SIGTERM');
    // Its last counts, read until it is gone: during its grace it no longer consumes, and still answers.
    let activeFinal = 0;
    const exited = { yes: false };
    void stopped.then(() => {
      exited.yes = true;
    });
    while (!exited.yes) {
      const now = await counts(active);
      if (now?.counted !== undefined) activeFinal = now.counted;
      await sleep(100);
    }
    await sleep(1_000);
    streaming.on = false;
    await stream;

    await waitFor(async () => activeFinal + (await counted(standby)) >= published, {
      timeoutMs: 20_000,
      what: 'the standby to count the rest',
    });
    await sleep(1_000);
    const standbyCounts = (await counts(standby)) ?? {};
    const figures = {
      published,
      countedByFirstActive: activeFinal,
      countedByStandby: standbyCounts.counted ?? 0,
      countedTwice: activeFinal + (standbyCounts.counted ?? 0) - published,
      duplicatesSeenByStandby: standbyCounts.duplicate ?? 0,
    };
    printFigures('metrics standby', figures);
    expect(figures.countedByFirstActive).toBeGreaterThan(before.first + before.second);
    expect(figures.countedByStandby).toBeGreaterThan(0);
    expect(figures.countedTwice).toBe(0);
  }, 90_000);
});

describe('an events queue from an older release (no single active consumer)', () => {
  it('is consumed as it is and reported, and re-created exclusive once deleted', async () => {
    const context = createTestContext('legacyq');
    const queue = topologyNames(context.topology.prefix).eventsQueue('metrics');
    context.alsoDeleteQueues(queue);
    const broker = await connect(context.rabbitUrl);
    try {
      const setup = await broker.createChannel();
      await setup.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await setup.close();
      const service = await startMetricsService(
        loadConfig({ ...sharedEnv(context) }),
        createLogger({ service: 'metrics', level: 'silent' }),
      );
      try {
        await service.amqp.waitForConnect();
        const gaugeLine = /^otpflow_metrics_single_active_consumer(?:\{[^}]*\})? (\d)$/m;
        const exclusive = async () =>
          gaugeLine.exec(await (await fetch(`${service.url}/metrics`)).text())?.[1];
        expect(await exclusive()).toBe('0');
        expect(service.amqp.connected).toBe(true);

        // The one-time migration (docs/deployment.md): delete the queue under the running service; the
        // broker cancels its consumer, it reconnects and declares the queue again, now exclusive.
        const admin = await broker.createChannel();
        await admin.deleteQueue(queue);
        await admin.close();
        await waitFor(async () => (await exclusive()) === '1' && service.amqp.connected, {
          timeoutMs: 20_000,
          what: 'the events queue re-created with a single active consumer',
        });
      } finally {
        await service.shutdown('test finished');
      }
    } finally {
      await broker.close();
      await context.dispose();
    }
  });
});
