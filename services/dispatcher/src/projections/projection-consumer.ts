import { otpEventSchema, parseEventMessage } from '@otpflow/contracts';
import type { Logger } from '@otpflow/telemetry';
import type { Channel, ConsumeMessage } from 'amqplib';
import { Counter, type Registry } from 'prom-client';
import type { ProjectionOutcome, Projector } from './projector.js';

type Outcome = ProjectionOutcome | 'invalid' | 'requeued';

/**
 * The AMQP side of the projector: one event per delivery, validated, folded, then acknowledged. An
 * event the store could not take (unavailable, too many lost races) goes back to the queue after a
 * pause, so nothing is lost and a store outage is not a hot loop; an invalid one is dropped, counted.
 */
export function projectionHandler(
  projector: Projector,
  registry: Registry,
  logger: Logger,
  pause: (ms: number) => Promise<void>,
  requeueDelayMs: number,
): (message: ConsumeMessage, channel: Channel) => Promise<void> {
  const events = new Counter<'outcome'>({
    name: 'otpflow_projection_events_total',
    help: 'Events read by the read-model projector (verifications listing, hourly buckets), by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of ['applied', 'duplicate', 'invalid', 'requeued'] satisfies Outcome[])
    events.inc({ outcome }, 0);

  return async (message, channel) => {
    const event = parseEventMessage(otpEventSchema, message);
    if (!event) {
      events.inc({ outcome: 'invalid' });
      logger.warn({ messageId: message.properties.messageId }, 'invalid event dropped by the projector');
      channel.ack(message);
      return;
    }
    try {
      events.inc({ outcome: await projector.project(event) });
      channel.ack(message);
    } catch (error) {
      events.inc({ outcome: 'requeued' });
      logger.warn({ err: error, eventId: event.eventId }, 'event not projected; requeued');
      await pause(requeueDelayMs);
      channel.nack(message, false, true);
    }
  };
}
