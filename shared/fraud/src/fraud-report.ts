import { randomUUID } from 'node:crypto';
import type { EventPublisher } from '@otpflow/amqp';
import { maskPhoneNumber, type Logger } from '@otpflow/telemetry';
import { Counter, type Registry } from 'prom-client';
import type { FraudOutcome } from './fraud-guard.js';

/** A country calling code as E.164 assigns them: 1 to 3 digits, never a leading 0. */
const CALLING_CODE = /^[1-9][0-9]{0,2}$/;

/**
 * The destination a decision names on the counter: its country calling code, the coarsest place an
 * SRE can act on (allow-list it, deny it) and a bounded set. Never a range or a number: those are the
 * attacker's choice, and a series each would grow without end. A code that is not one (none reaches the
 * guard today: the gateway takes it from libphonenumber, the dispatcher from a validated job) is
 * counted as `unknown` rather than trusted as a label.
 */
function countryLabel(countryCallingCode: string): string {
  return CALLING_CODE.test(countryCallingCode) ? countryCallingCode : 'unknown';
}

/**
 * What a refusal (or, in monitor mode, a refusal not applied) does besides answering: one event on
 * otp.events (the metrics service counts it by reason, country and client), a counter of this
 * service's own (gateway or dispatcher) by action, reason and country, and a log line with the number
 * masked. An event is a confirmed publish that nobody waits for.
 */
export function fraudReporter(
  events: Pick<EventPublisher, 'emit'>,
  registry: Registry,
  logger: Logger,
): (outcome: FraudOutcome) => void {
  const decisions = new Counter({
    name: 'otpflow_fraud_decisions_total',
    help: 'Sends the fraud guard refused (enforced) or would have refused (monitor), by action, reason and destination country calling code',
    // No series made in advance (no alert reads this counter): one per country would guess where
    // attacks go, and to a dashboard's rate an absent series is what it is, no decision.
    labelNames: ['action', 'reason', 'enforced', 'country'] as const,
    registers: [registry],
  });
  return ({ decision, enforced, send }) => {
    decisions.inc({
      action: decision.action,
      reason: decision.reason,
      enforced: String(enforced),
      country: countryLabel(send.countryCallingCode),
    });
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
