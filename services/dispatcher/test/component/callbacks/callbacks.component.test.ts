import type { CallbackJob, OtpEvent } from '@otpflow/contracts';
import { createLogger } from '@otpflow/telemetry';
import { Registry } from 'prom-client';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CallbackFanout } from '../../../src/callbacks/callback-fanout.js';
import { CallbackMetrics } from '../../../src/callbacks/callback-metrics.js';
import type { CannedResponse } from '../../fakes/fake-http-server.js';
import {
  closeAll,
  endpointAt,
  endpointServer,
  event,
  MemoryCallback,
  metricValue,
  SECRET,
  wire,
} from './callback-harness.js';

const logger = createLogger({ service: 'dispatcher', level: 'silent' });
afterEach(closeAll);

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
