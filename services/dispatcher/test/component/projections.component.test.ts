import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA, type OtpEvent } from '@otpflow/contracts';
import { createLogger } from '@otpflow/telemetry';
import type { Channel, ConsumeMessage } from 'amqplib';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MemoryProjectionStore } from '../../src/projections/memory-projection.store.js';
import { projectionHandler } from '../../src/projections/projection-consumer.js';
import { Projector } from '../../src/projections/projector.js';

const DAY_MS = 86_400_000;
const settings = { recordRetentionMs: 30 * DAY_MS, bucketRetentionMs: 400 * DAY_MS };
const requestedAt = '2026-03-01T09:58:00.000Z';

function event(type: OtpEvent['type'], authenticationId: string, extra: Partial<OtpEvent> = {}): OtpEvent {
  return {
    schema: EVENT_SCHEMA,
    eventId: randomUUID(),
    type,
    occurredAt: new Date(Date.parse(requestedAt) + 1000).toISOString(),
    authenticationId,
    clientId: 'tenant-a',
    channel: 'sms',
    countryCallingCode: '33',
    requestedAt,
    ...extra,
  };
}

/** A verification's events: requested, sent by a provider (one SMS part, a price), maybe verified. */
function lifeOf(verified: boolean, provider = 'vonage'): OtpEvent[] {
  const id = randomUUID();
  return [
    event('code.requested', id, { maskedTo: '+336******78', expiresAt: '2026-03-01T10:03:00.000Z' }),
    event('code.sent', id, {
      provider,
      sms: { encoding: 'GSM-7', parts: 1 },
      billed: { price: { amount: '0.05', currency: 'EUR' } },
    }),
    ...(verified ? [event('code.verified', id, { occurredAt: '2026-03-01T10:01:00.000Z' })] : []),
  ];
}

const totals = (store: MemoryProjectionStore) =>
  [...store.buckets.values()].reduce(
    (sum, bucket) => ({
      requested: sum.requested + bucket.requested,
      sent: sum.sent + bucket.sent,
      verified: sum.verified + bucket.verified,
      eur: sum.eur + (bucket.price?.EUR ?? 0),
    }),
    { requested: 0, sent: 0, verified: 0, eur: 0 },
  );

describe('the read-model projector, over an in-memory store', () => {
  it('counts a known mix once, whatever the order and the repeats', async () => {
    const store = new MemoryProjectionStore();
    const projector = new Projector(store, settings);
    const events = [...lifeOf(true), ...lifeOf(true), ...lifeOf(false), ...lifeOf(false, 'twilio')];
    // Reversed, then every event again, all at once: out of order, duplicated, concurrent.
    const outcomes = await Promise.all(
      [...events]
        .reverse()
        .concat(events)
        .map((item) => projector.project(item)),
    );
    expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(events.length);
    expect(store.records.size).toBe(4);
    expect(totals(store)).toEqual({ requested: 4, sent: 4, verified: 2, eur: 4 * 500_000_000 });
    expect(store.buckets.get('tenant-a|2026-03-01T09:00:00.000Z|33|sms|twilio')).toMatchObject({
      requested: 1,
      sent: 1,
      verified: 0,
      smsParts: 1,
    });
  });

  it('folds again after losing a race, and gives up after too many', async () => {
    const store = new MemoryProjectionStore();
    const projector = new Projector(store, { ...settings, maxConflicts: 2 });
    const [requested, sent] = lifeOf(false);
    store.conflictsToSimulate = 2;
    await expect(projector.project(requested as OtpEvent)).resolves.toBe('applied');
    store.conflictsToSimulate = 3;
    await expect(projector.project(sent as OtpEvent)).rejects.toThrow(/too many concurrent writers/);
    expect(totals(store)).toMatchObject({ requested: 1, sent: 0 });
  });

  it('acknowledges what it folded, drops what is not an event, requeues what the store refused', async () => {
    const store = new MemoryProjectionStore();
    const registry = new Registry();
    const pauses: number[] = [];
    const handle = projectionHandler(
      new Projector(store, settings),
      registry,
      createLogger({ service: 'dispatcher', level: 'silent' }),
      (ms) => {
        pauses.push(ms);
        return Promise.resolve();
      },
      250,
    );
    const settled: string[] = [];
    const channel = {
      ack: () => settled.push('ack'),
      nack: (_message: ConsumeMessage, _all: boolean, requeue: boolean) =>
        settled.push(requeue ? 'requeue' : 'reject'),
    } as unknown as Channel;
    const message = (content: string) =>
      ({ content: Buffer.from(content), properties: { messageId: 'm' } }) as unknown as ConsumeMessage;

    const [requested, sent] = lifeOf(true);
    await handle(message(JSON.stringify(requested)), channel);
    await handle(message('not json'), channel);
    await handle(message(JSON.stringify({ ...sent, clientId: '' })), channel);
    store.incrementFailures = 1;
    await handle(message(JSON.stringify(sent)), channel);
    expect(settled).toEqual(['ack', 'ack', 'ack', 'requeue']);
    expect(pauses).toEqual([250]);
    const metrics = await registry.getSingleMetricAsString('otpflow_projection_events_total');
    expect(metrics).toContain('outcome="applied"} 1');
    expect(metrics).toContain('outcome="invalid"} 2');
    expect(metrics).toContain('outcome="requeued"} 1');
  });
});
