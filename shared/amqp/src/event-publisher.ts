import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA, EVENT_TYPES, type OtpEvent, type OtpEventInput } from '@otpflow/contracts';
import type { Logger } from '@otpflow/telemetry';
import { Counter, type Registry } from 'prom-client';
import type { AmqpClient } from './amqp-client.js';

/**
 * Publishes lifecycle events to the events exchange, routed by type. Events feed metrics, not the
 * flow of a code, so publishing never blocks or fails the caller: a lost event is logged and counted
 * (`otpflow_events_published_total{outcome="lost"}`), which is how an SRE tells lost events from a
 * quiet platform.
 */
export class EventPublisher {
  private readonly published: Counter<'type' | 'outcome'>;

  constructor(
    private readonly amqp: AmqpClient,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.published = new Counter({
      name: 'otpflow_events_published_total',
      help: 'Lifecycle events this service published (confirmed) or lost, by type.',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    });
    // Every series exists from the start, so rate() sees the first event and a zero is a real zero.
    for (const type of EVENT_TYPES)
      for (const outcome of ['confirmed', 'lost']) this.published.inc({ type, outcome }, 0);
  }

  /**
   * Counts an event another confirmed message carried: a send job's copy on the events exchange is its
   * code's `code.requested` (event-message.ts), published and confirmed with the job.
   */
  countCarried(type: OtpEvent['type']): void {
    this.published.inc({ type, outcome: 'confirmed' });
  }

  emit(input: OtpEventInput): void {
    const event: OtpEvent = {
      schema: EVENT_SCHEMA,
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      ...input,
    };
    this.amqp
      .publish(this.amqp.names.eventsExchange, event.type, Buffer.from(JSON.stringify(event)), {
        messageId: event.eventId,
        type: EVENT_SCHEMA,
        // An event nobody consumes yet is not an error.
        mandatory: false,
      })
      .then(
        () => {
          this.published.inc({ type: event.type, outcome: 'confirmed' });
        },
        (error: unknown) => {
          this.published.inc({ type: event.type, outcome: 'lost' });
          this.logger.warn({ err: error, eventType: event.type }, 'event not published');
        },
      );
  }
}
