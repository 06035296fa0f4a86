import { randomUUID } from 'node:crypto';
import type { EventPublisher } from '@otpflow/amqp';
import { maskPhoneNumber, type Logger } from '@otpflow/telemetry';
import { Counter, type Registry } from 'prom-client';
import type { FraudOutcome } from './fraud-guard.js';

/**
 * What a refusal (or, in monitor mode, a refusal not applied) does besides answering: one event on
 * otp.events (the metrics service counts it by reason and country), a counter of this gateway's own,
 * and a log line with the number masked. An event is a publish without confirm: no broker round trip.
 */
export function fraudReporter(
  events: Pick<EventPublisher, 'emit'>,
  registry: Registry,
  logger: Logger,
): (outcome: FraudOutcome) => void {
  const decisions = new Counter({
    name: 'otpflow_fraud_decisions_total',
    help: 'Sends the fraud guard refused (enforced) or would have refused (monitor), by action and reason',
    labelNames: ['action', 'reason', 'enforced'] as const,
    registers: [registry],
  });
  return ({ decision, enforced, send }) => {
    decisions.inc({ action: decision.action, reason: decision.reason, enforced: String(enforced) });
    events.emit({
      type: decision.action === 'block' ? 'fraud.blocked' : 'fraud.throttled',
      authenticationId: send.authenticationId ?? randomUUID(),
      clientId: send.clientId,
      channel: send.channel ?? 'sms',
      countryCallingCode: send.countryCallingCode,
      requestedAt: new Date().toISOString(),
      reason: decision.reason,
      enforced,
    });
    if (decision.newBlock)
      logger.warn(
        {
          clientId: send.clientId,
          to: maskPhoneNumber(send.e164),
          reason: decision.reason,
          blockSeconds: decision.retryAfterSeconds,
          enforced,
        },
        'fraud guard: blocked a range or an address',
      );
  };
}
