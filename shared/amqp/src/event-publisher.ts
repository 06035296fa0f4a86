import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA, type OtpEvent, type OtpEventInput } from '@otpflow/contracts';
import type { Logger } from '@otpflow/telemetry';
import type { AmqpClient } from './amqp-client.js';

/**
 * Publishes lifecycle events to the events exchange, routed by type. Events feed metrics, not the
 * flow of a code, so publishing never blocks or fails the caller: a lost event is logged and counted.
 */
export class EventPublisher {
  constructor(
    private readonly amqp: AmqpClient,
    private readonly logger: Logger,
    private readonly onLost: (event: OtpEvent) => void = () => undefined,
  ) {}

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
      .catch((error: unknown) => {
        this.onLost(event);
        this.logger.warn({ err: error, eventType: event.type }, 'event not published');
      });
  }
}
