import type { OtpEvent } from '@otpflow/contracts';
import { LRUCache } from 'lru-cache';
import { Counter, Histogram, type Registry } from 'prom-client';
import { createCostMetrics } from './cost-metrics.js';
import type { LabelLimiter } from './label-limiter.js';

const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300];
const VERIFY_BUCKETS = [1, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600];

/**
 * The business metrics of the platform, from the event stream. Labels: channel, provider, country
 * (calling code, ~230 values at most), client (bounded by the LabelLimiter), reason (closed sets).
 * Never a phone number, an authenticationId or a code.
 */
export function createBusinessMetrics(registry: Registry, clients: LabelLimiter) {
  /**
   * When each recent code went out (from code.sent), for the send-to-verification time: the gateway
   * does not read it on its hot path. Bounded; a code verified before its code.sent arrives, or after
   * it was forgotten, is timed from the request instead.
   */
  const sentAt = new LRUCache<string, string>({ max: 200_000, ttl: 3_600_000 });
  const counter = (name: string, help: string, labelNames: readonly string[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const base = ['channel', 'country', 'client'] as const;
  const withProvider = ['channel', 'provider', 'country', 'client'] as const;

  const requested = counter(
    'otpflow_codes_requested_total',
    'Codes requested (send-code accepted and queued).',
    base,
  );
  const sent = counter('otpflow_codes_sent_total', 'Codes a provider accepted.', withProvider);
  const delivered = counter(
    'otpflow_codes_delivered_total',
    'Codes the handset received (delivery receipt).',
    withProvider,
  );
  const undelivered = counter(
    'otpflow_codes_undelivered_total',
    'Codes a receipt reported as not delivered.',
    [...withProvider, 'reason'],
  );
  const failed = counter(
    'otpflow_codes_failed_total',
    'Codes whose delivery failed for good: dead-lettered, undelivered, or expired before delivery.',
    [...base, 'reason'],
  );
  const retried = counter(
    'otpflow_code_delivery_retries_total',
    'Delivery attempts that failed and were scheduled again.',
    [...withProvider, 'reason'],
  );
  const deadLettered = counter('otpflow_codes_dead_lettered_total', 'Codes moved to the dead-letter queue.', [
    ...base,
    'reason',
  ]);
  const expired = counter(
    'otpflow_codes_expired_before_delivery_total',
    'Codes that expired before any provider took them.',
    base,
  );
  const verified = counter('otpflow_codes_verified_total', 'Codes validated successfully.', base);
  const rejected = counter('otpflow_codes_rejected_total', 'Validations refused, by reason.', [
    ...base,
    'reason',
  ]);
  const canceled = counter('otpflow_codes_canceled_total', 'Codes canceled before validation.', base);
  const fraudRefused = counter(
    'otpflow_fraud_refusals_total',
    'Sends the fraud guard refused (enforced="true") or would refuse (monitor mode), by action and reason (docs/FRAUD.md).',
    [...base, 'action', 'reason', 'enforced'],
  );
  const smsParts = counter('otpflow_sms_parts_total', 'SMS parts billed (the cost), by encoding.', [
    ...withProvider,
    'encoding',
  ]);
  const sendLatency = new Histogram({
    name: 'otpflow_code_send_latency_seconds',
    help: 'From the code request to a provider accepting it.',
    labelNames: ['channel', 'provider'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const deliveryLatency = new Histogram({
    name: 'otpflow_code_delivery_latency_seconds',
    help: 'From the code request to the delivery receipt.',
    labelNames: ['channel', 'provider'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const verifyLatency = new Histogram({
    name: 'otpflow_code_verification_latency_seconds',
    help: 'From the code being sent (or requested, when the send time is unknown) to its validation.',
    labelNames: ['channel'],
    buckets: VERIFY_BUCKETS,
    registers: [registry],
  });

  const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
  const cost = createCostMetrics(registry);

  return (event: OtpEvent): void => {
    const labels = {
      channel: event.channel,
      country: event.countryCallingCode,
      client: clients.value(event.clientId),
    };
    const provider = event.provider ?? 'unknown';
    const reason = event.reason ?? 'unknown';
    cost(event, { ...labels, provider });
    switch (event.type) {
      case 'code.requested':
        requested.inc(labels);
        return;
      case 'code.sent':
        sentAt.set(event.authenticationId, event.occurredAt);
        sent.inc({ ...labels, provider });
        if (event.sms) smsParts.inc({ ...labels, provider, encoding: event.sms.encoding }, event.sms.parts);
        sendLatency.observe(
          { channel: event.channel, provider },
          seconds(event.requestedAt, event.occurredAt),
        );
        return;
      case 'code.delivered':
        delivered.inc({ ...labels, provider });
        deliveryLatency.observe(
          { channel: event.channel, provider },
          seconds(event.requestedAt, event.occurredAt),
        );
        return;
      case 'code.undelivered':
        undelivered.inc({ ...labels, provider, reason });
        failed.inc({ ...labels, reason: 'undelivered' });
        return;
      case 'code.retried':
        retried.inc({ ...labels, provider, reason });
        return;
      case 'code.dead_lettered':
        deadLettered.inc({ ...labels, reason });
        return;
      case 'code.expired_before_delivery':
        expired.inc(labels);
        failed.inc({ ...labels, reason: 'expired_before_delivery' });
        return;
      case 'code.verified':
        verified.inc(labels);
        verifyLatency.observe(
          { channel: event.channel },
          seconds(event.sentAt ?? sentAt.get(event.authenticationId) ?? event.requestedAt, event.occurredAt),
        );
        return;
      case 'code.rejected':
        rejected.inc({ ...labels, reason });
        return;
      case 'code.failed':
        failed.inc({ ...labels, reason });
        return;
      case 'code.canceled':
        canceled.inc(labels);
        return;
      case 'fraud.blocked':
      case 'fraud.throttled':
        // An event of a gateway older than `enforced` was a refusal: monitor mode came with the field.
        fraudRefused.inc({
          ...labels,
          action: event.type.slice('fraud.'.length),
          reason,
          enforced: String(event.enforced ?? true),
        });
        return;
    }
  };
}
