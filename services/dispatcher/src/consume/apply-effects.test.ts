import { createLogger } from '@otpflow/telemetry';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { recordingReceivedJob } from '../../test/fakes/received-job.js';
import { MemoryDeliveryStore } from '../delivery/memory-delivery.store.js';
import { createDispatcherMetrics } from '../dispatcher-metrics.js';
import { MemoryEventSink } from '../events/event-sink.js';
import { applyEffects } from './apply-effects.js';
import { openedJob } from '../../test/fakes/jobs.js';
import type { Effects } from './effect.js';

const log = createLogger({ service: 'test', level: 'silent' });

function ports() {
  const pauses: number[] = [];
  return {
    store: new MemoryDeliveryStore(),
    events: new MemoryEventSink(),
    metrics: createDispatcherMetrics(new Registry()),
    pauses,
    pause: (ms: number) => {
      pauses.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
  };
}

const opened = openedJob();
const effects = (extra: Partial<Effects> = {}): Effects => ({
  finishAttempt: false,
  events: [
    {
      type: 'code.expired_before_delivery',
      authenticationId: opened.job.authenticationId,
      clientId: 'acme',
      channel: 'sms',
      countryCallingCode: '34',
      requestedAt: opened.job.createdAt,
    },
  ],
  count: { outcome: 'expired', channel: 'sms' },
  ...extra,
});

describe('applying effects', () => {
  it('records, emits, counts and acks, in that order of safety', async () => {
    const { received, calls } = recordingReceivedJob();
    const deps = ports();
    const applied = await applyEffects(
      effects({
        record: {
          write: { kind: 'skipped', status: 'expired_before_delivery' },
          required: true,
          ifFailed: { level: 'warn', message: 'x' },
        },
      }),
      { received, opened, log },
      deps,
    );
    expect(applied).toBe('settled');
    expect(calls).toEqual(['ack']);
    expect(deps.store.deliveries.get(opened.job.jobId)?.status).toBe('expired_before_delivery');
    expect(deps.events.events).toHaveLength(1);
    expect(await deps.metrics.jobs.get()).toMatchObject({
      values: [{ labels: { outcome: 'expired', channel: 'sms' }, value: 1 }],
    });
  });

  it('gives the message back and does nothing else when the broker refuses the move', async () => {
    const { received, calls } = recordingReceivedJob({ refuseMoves: true });
    const deps = ports();
    const applied = await applyEffects(
      effects({ move: { to: 'retry', move: { tierMs: 1, delayMs: 1, headers: {} }, ifRefused: 'requeue' } }),
      { received, opened, log },
      deps,
    );
    expect(applied).toBe('settled');
    expect(calls).toEqual(['retry', 'requeue']);
    expect(deps.events.events).toEqual([]);
  });

  it('gives a refused move back only after a pause that grows with its deliveries, its lease released', async () => {
    // Every give-back counts against the work queue's delivery limit: at once, 20 are spent in a second.
    const giveBackAfter = async (deliveries: number | undefined) => {
      const { received } = recordingReceivedJob({
        refuseMoves: true,
        headers: deliveries === undefined ? {} : { 'x-delivery-count': deliveries },
      });
      const deps = ports();
      expect(await deps.store.takeAttempt(opened.job, opened.attempt)).toBe('taken');
      await applyEffects(
        effects({
          move: { to: 'retry', move: { tierMs: 1, delayMs: 1, headers: {} }, ifRefused: 'requeue' },
          finishAttempt: true,
        }),
        { received, opened, log },
        deps,
      );
      // The lease is given up, so the job's next delivery may try at once.
      expect(await deps.store.takeAttempt(opened.job, opened.attempt)).toBe('taken');
      return deps.pauses;
    };
    const [first] = await giveBackAfter(undefined);
    const [fourth] = await giveBackAfter(3);
    const [late] = await giveBackAfter(30);
    expect(first).toBeGreaterThanOrEqual(125);
    expect(fourth).toBeGreaterThan(first ?? 0);
    expect(late).toBeLessThanOrEqual(5_000);
  });

  it('rejects instead when that is what the outcome asks of a refused move', async () => {
    const { received, calls } = recordingReceivedJob({ refuseMoves: true });
    await applyEffects(
      effects({ move: { to: 'dead_letter', move: { headers: {} }, ifRefused: 'reject' } }),
      { received, log },
      ports(),
    );
    expect(calls).toEqual(['deadLetter', 'reject']);
  });

  it('leaves the message unsettled when a required record fails, for the caller to defer it', async () => {
    const { received, calls } = recordingReceivedJob();
    const deps = ports();
    deps.store.failWith = new Error('database down');
    const applied = await applyEffects(
      effects({
        record: {
          write: { kind: 'skipped', status: 'not_sent' },
          required: true,
          ifFailed: { level: 'warn', message: 'x' },
        },
      }),
      { received, opened, log },
      deps,
    );
    expect(applied).toBe('record_failed');
    expect(calls).toEqual([]);
    expect(deps.events.events).toEqual([]);
  });

  it('still acks, emits and counts when a record that is not required fails', async () => {
    const { received, calls } = recordingReceivedJob();
    const deps = ports();
    deps.store.failWith = new Error('database down');
    const applied = await applyEffects(
      effects({
        record: {
          write: { kind: 'skipped', status: 'not_sent' },
          required: false,
          ifFailed: { level: 'error', message: 'x' },
        },
        finishAttempt: true,
      }),
      { received, opened, log },
      deps,
    );
    expect(applied).toBe('settled');
    expect(calls).toEqual(['ack']);
    expect(deps.events.events).toHaveLength(1);
  });
});
