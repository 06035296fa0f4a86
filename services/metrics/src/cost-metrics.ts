import type { OtpEvent } from '@otpflow/contracts';
import { Counter, type Registry } from 'prom-client';
import { LabelLimiter } from './label-limiter.js';

/**
 * Currencies that get their own `currency` label value; a vendor reporting yet another one (they are
 * ISO 4217 codes, from a handful of configured providers) is counted as `other`, never added to
 * another currency.
 */
const CURRENCY_LABEL_LIMIT = 10;

/** The labels of a cost series: the event's dimensions, bounded by the caller. */
export interface CostLabels {
  channel: string;
  provider: string;
  country: string;
  client: string;
}

/**
 * What vendors say they billed, from the `billed` figures of the events (code.sent from the
 * provider's answer; a receipt's first price on code.delivered/undelivered): each figure is told
 * once per code, so the counters only add. Prices are summed per currency, never converted.
 * otpflow_sms_parts_total (business-metrics.ts) stays what otpflow counted before sending; these are
 * the vendor's own figures, where it reports them (docs/delivery.md lists which do).
 */
export function createCostMetrics(registry: Registry) {
  const currencies = new LabelLimiter([], CURRENCY_LABEL_LIMIT);
  const parts = new Counter({
    name: 'otpflow_billed_sms_parts_total',
    help: 'SMS parts the vendor says it billed, where it says (its answer to the send).',
    labelNames: ['channel', 'provider', 'country', 'client'],
    registers: [registry],
  });
  const price = new Counter({
    name: 'otpflow_billed_price_total',
    help: 'What vendors say they charged, in the currency they charged in (never converted or mixed).',
    labelNames: ['channel', 'provider', 'country', 'client', 'currency'],
    registers: [registry],
  });

  return (event: OtpEvent, labels: CostLabels): void => {
    const billed = event.billed;
    if (!billed) return;
    if (billed.parts !== undefined) parts.inc(labels, billed.parts);
    if (billed.price) {
      const amount = Number(billed.price.amount);
      if (Number.isFinite(amount) && amount >= 0)
        price.inc({ ...labels, currency: currencies.value(billed.price.currency) }, amount);
    }
  };
}
