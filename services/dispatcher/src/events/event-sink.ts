import type { OtpEventInput } from '@otpflow/contracts';

/**
 * Where lifecycle events go. The real one is `EventPublisher` (shared/amqp): fire and forget, a lost
 * event is counted, never fails the caller.
 */
export interface EventSink {
  emit(event: OtpEventInput): void;
}

/** Keeps the events it is given, in order: for unit and component tests. */
export class MemoryEventSink implements EventSink {
  readonly events: OtpEventInput[] = [];

  emit(event: OtpEventInput): void {
    this.events.push(event);
  }

  ofType(type: OtpEventInput['type']): OtpEventInput[] {
    return this.events.filter((event) => event.type === type);
  }
}
