import { randomUUID } from 'node:crypto';
import {
  EVENT_SCHEMA,
  jobKeysSchema,
  sealWebhookSecret,
  type CallbackEventType,
  type CallbackJob,
  type OtpEvent,
} from '@otpflow/contracts';
import { createLogger } from '@otpflow/telemetry';
import { Registry } from 'prom-client';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CallbackFanout } from '../../../src/callbacks/callback-fanout.js';
import { CallbackMetrics } from '../../../src/callbacks/callback-metrics.js';
import { sendCallback } from '../../../src/callbacks/callback-sender.js';
import { CallbackWorker, type ReceivedCallback } from '../../../src/callbacks/callback-worker.js';
import { FakeHttpServer, type CannedResponse } from '../../fakes/fake-http-server.js';

const keys = jobKeysSchema.parse(`k1:${Buffer.alloc(32, 9).toString('base64')}`);
const logger = createLogger({ service: 'dispatcher', level: 'silent' });
const SECRET = `whsec_${Buffer.alloc(24, 5).toString('base64')}`;

interface Endpoint {
  endpointId: string;
  clientId: string;
  url: string;
  events: CallbackEventType[];
  sealedSecret: string;
}

/** A settled in-memory callback job: how the worker left it. */
class MemoryCallback implements ReceivedCallback {
  settled: 'ack' | 'requeue' | undefined;
  moved: { to: 'retry'; attempt: number; tierMs: number } | { to: 'dead'; reason: string } | undefined;
  constructor(
    readonly body: Buffer,
    readonly attempt = 1,
    private readonly refuseMoves = false,
  ) {}
  ack(): void {
    this.settled = 'ack';
  }
  requeue(): void {
    this.settled = 'requeue';
  }
  retry(move: { tierMs: number; attempt: number }): Promise<void> {
    if (this.refuseMoves) return Promise.reject(new Error('broker refused'));
    this.moved = { to: 'retry', attempt: move.attempt, tierMs: move.tierMs };
    return Promise.resolve();
  }
  deadLetter(move: { reason: string }): Promise<void> {
    this.moved = { to: 'dead', reason: move.reason };
    return Promise.resolve();
  }
}

const servers: FakeHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function endpointServer(responder: (index: number) => CannedResponse | Promise<CannedResponse>) {
  let index = 0;
  const server = await new FakeHttpServer(() => responder(index++)).start();
  servers.push(server);
  return server;
}

function endpointAt(url: string, events: CallbackEventType[], clientId = 'tenant-a'): Endpoint {
  const endpointId = `ep_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return {
    endpointId,
    clientId,
    url,
    events,
    sealedSecret: sealWebhookSecret(SECRET, keys, { clientId, endpointId }),
  };
}

function event(type: string, extra: Partial<OtpEvent> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      schema: EVENT_SCHEMA,
      eventId: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      authenticationId: randomUUID(),
      clientId: 'tenant-a',
      channel: 'sms',
      countryCallingCode: '34',
      requestedAt: new Date().toISOString(),
      ...extra,
    }),
  );
}

/** The callbacks wired from their real code, with the endpoints and the queue in memory. */
function wire(endpoints: Endpoint[], settings: { timeoutMs?: number; perEndpointConcurrency?: number } = {}) {
  const registry = new Registry();
  const metrics = new CallbackMetrics(registry);
  const queued: CallbackJob[] = [];
  const fanout = new CallbackFanout({
    endpoints: {
      subscribers: (clientId, type) =>
        Promise.resolve(endpoints.filter((e) => e.clientId === clientId && e.events.includes(type))),
    },
    enqueue: (job) => {
      queued.push(job);
      return Promise.resolve();
    },
    metrics,
    logger,
  });
  const worker = new CallbackWorker({
    post: (job, secret) => sendCallback(job, secret, { timeoutMs: settings.timeoutMs ?? 2_000 }),
    keys,
    maxAttempts: 3,
    tiersMs: [100, 200],
    perEndpointConcurrency: settings.perEndpointConcurrency ?? 4,
    metrics,
    logger,
    random: () => 0.5,
  });
  /** Runs a job through the worker until it is delivered or dead-lettered, as the retry tiers would. */
  const deliver = async (job: CallbackJob) => {
    const history: MemoryCallback[] = [];
    let attempt = 1;
    for (;;) {
      const received = new MemoryCallback(Buffer.from(JSON.stringify(job)), attempt);
      await worker.handle(received);
      history.push(received);
      if (received.moved?.to !== 'retry') return history;
      attempt = received.moved.attempt;
    }
  };
  return { registry, fanout, worker, queued, deliver };
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

describe('status callbacks', () => {
  it('sends each subscribed endpoint one signed callback, in the Standard Webhooks form', async () => {
    const server = await endpointServer(() => ({ status: 204 }));
    const subscribed = endpointAt(server.url, ['verification.delivered']);
    const other = endpointAt(server.url, ['verification.approved']);
    const elsewhere = endpointAt(server.url, ['verification.delivered'], 'tenant-b');
    const { fanout, queued, deliver, registry } = wire([subscribed, other, elsewhere]);
    const body = event('code.delivered', { provider: 'twilio' });

    expect(await fanout.handle(body)).toBe('queued');
    expect(queued.map((job) => job.endpointId)).toEqual([subscribed.endpointId]);
    const [first] = await deliver(queued[0] as CallbackJob);
    expect(first?.settled).toBe('ack');

    const [request] = server.requests;
    const eventId = (JSON.parse(body.toString()) as OtpEvent).eventId;
    expect(request?.headers['webhook-id']).toBe(`msg_${eventId}`);
    const verified = new Webhook(SECRET).verify(request?.body ?? '', {
      'webhook-id': String(request?.headers['webhook-id']),
      'webhook-timestamp': String(request?.headers['webhook-timestamp']),
      'webhook-signature': String(request?.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ type: 'verification.delivered', data: { provider: 'twilio' } });
    expect(request?.body).not.toMatch(/\+34|code"/);
    expect(
      await metricValue(registry, 'otpflow_callback_attempts_total', {
        endpoint_id: subscribed.endpointId,
        outcome: 'delivered',
      }),
    ).toBe(1);
  });

  it('retries a failing endpoint until it answers, under the same webhook-id: nothing is lost', async () => {
    const server = await endpointServer((index) => ({ status: index < 2 ? 503 : 200 }));
    const { fanout, queued, deliver } = wire([endpointAt(server.url, ['verification.approved'])]);
    await fanout.handle(event('code.verified'));
    const history = await deliver(queued[0] as CallbackJob);
    expect(history.map((h) => h.moved ?? h.settled)).toEqual([
      { to: 'retry', attempt: 2, tierMs: 100 },
      { to: 'retry', attempt: 3, tierMs: 200 },
      'ack',
    ]);
    expect(new Set(server.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(server.requests).toHaveLength(3);
  });

  it('gives a slow endpoint the timeout, then retries it; an endpoint that stays down is dead-lettered', async () => {
    const server = await endpointServer(() => ({ status: 200, hang: true }));
    const { fanout, queued, deliver, registry } = wire([endpointAt(server.url, ['verification.sent'])], {
      timeoutMs: 150,
    });
    await fanout.handle(event('code.sent'));
    const history = await deliver(queued[0] as CallbackJob);
    expect(history.map((h) => h.moved)).toEqual([
      { to: 'retry', attempt: 2, tierMs: 100 },
      { to: 'retry', attempt: 3, tierMs: 200 },
      { to: 'dead', reason: 'attempts_exhausted' },
    ]);
    expect(await metricValue(registry, 'otpflow_callback_jobs_total', { fate: 'dead_lettered' })).toBe(1);
  });

  it('dead-letters at once what the endpoint refuses (410 Gone)', async () => {
    const server = await endpointServer(() => ({ status: 410 }));
    const gone = endpointAt(server.url, ['verification.canceled']);
    const { fanout, queued, deliver, registry } = wire([gone]);
    await fanout.handle(event('code.canceled'));
    const history = await deliver(queued[0] as CallbackJob);
    expect(history.map((h) => h.moved)).toEqual([{ to: 'dead', reason: 'permanent_failure' }]);
    // Counted against its endpoint, for the dashboard's callbacks row.
    expect(
      await metricValue(registry, 'otpflow_callback_dead_lettered_total', {
        client: 'tenant-a',
        endpoint_id: gone.endpointId,
        reason: 'permanent_failure',
      }),
    ).toBe(1);
  });

  it('defers the jobs of a busy endpoint instead of waiting on it, attempt unspent', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<CannedResponse>((resolve) => (release = () => resolve({ status: 200 })));
    const server = await endpointServer(() => held);
    const { fanout, queued, worker } = wire([endpointAt(server.url, ['verification.sent'])], {
      perEndpointConcurrency: 1,
    });
    await fanout.handle(event('code.sent'));
    await fanout.handle(event('code.sent'));
    const first = new MemoryCallback(Buffer.from(JSON.stringify(queued[0])));
    const second = new MemoryCallback(Buffer.from(JSON.stringify(queued[1])));
    const inFlight = worker.handle(first);
    while (server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await worker.handle(second);
    expect(second.moved).toEqual({ to: 'retry', attempt: 1, tierMs: 100 });
    release();
    await inFlight;
    expect(first.settled).toBe('ack');
  });

  it('dead-letters a job it cannot read, and requeues one it cannot move on', async () => {
    const { worker, fanout, queued } = wire([endpointAt('http://127.0.0.1:9/', ['verification.sent'])]);
    const garbage = new MemoryCallback(Buffer.from('not json'));
    await worker.handle(garbage);
    expect(garbage.moved).toEqual({ to: 'dead', reason: 'malformed' });

    await fanout.handle(event('code.sent'));
    const job = { ...(queued[0] as CallbackJob), endpointId: 'ep_moved0000000000' };
    const tampered = new MemoryCallback(Buffer.from(JSON.stringify(job)));
    await worker.handle(tampered);
    expect(tampered.moved).toEqual({ to: 'dead', reason: 'tampered' });

    const refused = new MemoryCallback(Buffer.from(JSON.stringify(queued[0])), 1, true);
    await worker.handle(refused);
    expect(refused.settled).toBe('requeue');
  });

  it('fans out nothing for events that are no callback, and asks again when it cannot queue', async () => {
    const { fanout } = wire([]);
    expect(await fanout.handle(Buffer.from('{'))).toBe('invalid');
    expect(await fanout.handle(event('code.retried'))).toBe('ignored');
    expect(await fanout.handle(event('code.sent'))).toBe('ignored');

    const failing = new CallbackFanout({
      endpoints: { subscribers: () => Promise.reject(new Error('store down')) },
      enqueue: () => Promise.resolve(),
      metrics: new CallbackMetrics(new Registry()),
      logger,
    });
    expect(await failing.handle(event('code.sent'))).toBe('retry');
  });
});
