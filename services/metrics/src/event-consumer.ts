import { otpEventSchema, parseEventMessage, type OtpEvent } from '@otpflow/contracts';
import type { Logger } from '@otpflow/telemetry';
import type { Channel, ConsumeMessage } from 'amqplib';
import { LRUCache } from 'lru-cache';
import { Counter, type Registry } from 'prom-client';

/**
 * Reads events off the metrics service's own queue, drops the ones it has already counted (events carry
 * ids; the broker delivers at least once and publishers may publish twice), and hands the rest to the
 * metrics. Duplicates are recognised within a bounded window of recent ids, so memory stays flat.
 * Order does not matter: every latency is computed from timestamps inside the event itself.
 */
export class EventConsumer {
  private readonly seen: LRUCache<string, true>;
  private readonly consumed: Counter<'outcome'>;

  constructor(
    private readonly record: (event: OtpEvent) => void,
    registry: Registry,
    private readonly logger: Logger,
    window: { size: number; seconds: number },
  ) {
    this.seen = new LRUCache({ max: window.size, ttl: window.seconds * 1000 });
    this.consumed = new Counter({
      name: 'otpflow_metrics_events_total',
      help: 'Events read by the metrics service, by outcome (counted, duplicate, invalid).',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  readonly handle = (message: ConsumeMessage, channel: Channel): Promise<void> => {
    const event = parseEventMessage(otpEventSchema, message);
    if (!event) {
      this.consumed.inc({ outcome: 'invalid' });
      this.logger.warn({ messageId: message.properties.messageId }, 'invalid event dropped');
    } else if (this.seen.has(event.eventId)) {
      this.consumed.inc({ outcome: 'duplicate' });
    } else {
      this.seen.set(event.eventId, true);
      this.record(event);
      this.consumed.inc({ outcome: 'counted' });
    }
    channel.ack(message);
    return Promise.resolve();
  };
}
