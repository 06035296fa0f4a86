import type { Logger } from '@otpflow/telemetry';
import type { DeliveryStore } from '../delivery/delivery-store.js';
import { giveBackDelayMs } from '../delivery/retry-policy.js';
import type { DispatcherMetrics } from '../dispatcher-metrics.js';
import type { EventSink } from '../events/event-sink.js';
import type { Effects, StoreWrite } from './effect.js';
import type { ReceivedJob } from './job-source.js';
import type { OpenedJob } from './outcome.js';

/** What applying effects needs: the handler's ports. */
export interface EffectPorts {
  store: DeliveryStore;
  events: EventSink;
  metrics: DispatcherMetrics;
  /** Waits before a job that could not be moved on is given back (see giveBackDelayMs). */
  pause: (ms: number) => Promise<void>;
  random: () => number;
}

/** How often the broker has delivered a message before (quorum queues count it in a header). */
function deliveriesOf(received: ReceivedJob): number {
  const count = received.headers['x-delivery-count'];
  return typeof count === 'number' && Number.isFinite(count) ? count : 0;
}

/** How applying ended: done (the message is settled), or a required record failed (defer instead). */
export type Applied = 'settled' | 'record_failed';

function write(store: DeliveryStore, opened: OpenedJob, change: StoreWrite): Promise<void> {
  switch (change.kind) {
    case 'skipped':
      return store.recordSkipped(opened.job, change.status);
    case 'sent':
      return store.recordSent(opened.job, change.record);
    case 'failure':
      return store.recordFailure(opened.job, change.status, change.failure);
  }
}

/**
 * Performs one outcome's effects on one message, in the order effects.ts documents. Every failure is
 * handled here: a refused move gives the message back (or rejects it), a required record that fails
 * returns `record_failed` without settling, and anything else that fails is logged and does not stop
 * the message from being acked.
 */
export async function applyEffects(
  effects: Effects,
  target: { received: ReceivedJob; opened?: OpenedJob; log: Logger },
  ports: EffectPorts,
): Promise<Applied> {
  const { received, opened, log } = target;
  if (effects.move) {
    try {
      if (effects.move.to === 'retry') await received.retry(effects.move.move);
      else await received.deadLetter(effects.move.move);
    } catch (error) {
      // The job could not be moved on (broker trouble): give it back, it comes round again.
      if (effects.move.ifRefused === 'continue') {
        log.warn({ err: error, to: effects.move.to }, 'could not schedule the next workflow step');
      } else {
        log.warn({ err: error, to: effects.move.to }, 'could not move the job on; returning it to the queue');
        if (effects.move.ifRefused === 'reject') {
          received.reject();
          return 'settled';
        }
        await giveBack(effects, target, ports);
        return 'settled';
      }
    }
  }
  if (effects.record && opened) {
    try {
      await write(ports.store, opened, effects.record.write);
    } catch (error) {
      log[effects.record.ifFailed.level]({ err: error }, effects.record.ifFailed.message);
      if (effects.record.required) return 'record_failed';
    }
  }
  if (effects.finishAttempt && opened) {
    await ports.store
      .finishAttempt(opened.job, opened.attempt)
      .catch((error: unknown) => log.warn({ err: error }, 'could not mark the attempt finished'));
  }
  for (const event of effects.events) ports.events.emit(event);
  ports.metrics.jobs.inc({ outcome: effects.count.outcome, channel: effects.count.channel });
  if (effects.count.retryTierMs !== undefined)
    ports.metrics.retries.inc({ tier: `${effects.count.retryTierMs}ms` });
  if (effects.log) log[effects.log.level](effects.log.fields ?? {}, effects.log.message);
  received.ack();
  return 'settled';
}

/**
 * Gives a job back to the work queue after broker trouble: first the attempt's lease, if this worker
 * took one (so the next delivery need not wait it out), then a pause that grows with the job's
 * deliveries, because every give-back counts against the work queue's delivery limit: given back at
 * once, the limit is spent in a second and the job dead-lettered (test/faults/rabbitmq-policies).
 */
async function giveBack(
  effects: Effects,
  { received, opened, log }: { received: ReceivedJob; opened?: OpenedJob | undefined; log: Logger },
  ports: EffectPorts,
): Promise<void> {
  if (effects.finishAttempt && opened) {
    await ports.store
      .releaseAttempt(opened.job, opened.attempt)
      .catch((error: unknown) => log.warn({ err: error }, 'could not release the attempt'));
  }
  await ports.pause(giveBackDelayMs(deliveriesOf(received), ports.random));
  received.requeue();
}
