import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA, type OtpEvent } from '@otpflow/contracts';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createBusinessMetrics } from './business-metrics.js';
import { LabelLimiter } from './label-limiter.js';

const event = (type: OtpEvent['type'], extra: Partial<OtpEvent> = {}): OtpEvent => ({
  schema: EVENT_SCHEMA,
  eventId: randomUUID(),
  type,
  occurredAt: new Date().toISOString(),
  authenticationId: randomUUID(),
  clientId: 'acme',
  channel: 'sms',
  countryCallingCode: '34',
  requestedAt: new Date().toISOString(),
  provider: 'vonage',
  ...extra,
});

async function valueOf(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  const sample = metric?.values.find((value) =>
    Object.entries(labels).every(([key, expected]) => value.labels[key] === expected),
  );
  return sample?.value ?? 0;
}

describe('cost metrics', () => {
  it("adds the vendors' billed parts and prices, per currency, from sends and receipts", async () => {
    const registry = new Registry();
    const record = createBusinessMetrics(registry, new LabelLimiter([], 10));
    record(event('code.sent', { billed: { parts: 2, price: { amount: '0.0666', currency: 'EUR' } } }));
    record(event('code.sent', { billed: { parts: 1, price: { amount: '0.0333', currency: 'EUR' } } }));
    record(event('code.delivered', { billed: { price: { amount: '0.0412', currency: 'EUR' } } }));
    record(
      event('code.sent', {
        provider: 'twilio',
        countryCallingCode: '1',
        billed: { parts: 1, price: { amount: '0.0079', currency: 'USD' } },
      }),
    );
    record(event('code.sent', { provider: 'octopush' }));

    const eur = { provider: 'vonage', country: '34', client: 'acme', currency: 'EUR' };
    expect(await valueOf(registry, 'otpflow_billed_price_total', eur)).toBeCloseTo(0.1411, 10);
    expect(await valueOf(registry, 'otpflow_billed_sms_parts_total', { provider: 'vonage' })).toBe(3);
    expect(
      await valueOf(registry, 'otpflow_billed_price_total', {
        provider: 'twilio',
        country: '1',
        currency: 'USD',
      }),
    ).toBeCloseTo(0.0079, 10);
    // A vendor that reports nothing adds nothing (otpflow_sms_parts_total counts otpflow's own figure).
    expect(await valueOf(registry, 'otpflow_billed_sms_parts_total', { provider: 'octopush' })).toBe(0);
  });

  it('keeps the currency label bounded', async () => {
    const registry = new Registry();
    const record = createBusinessMetrics(registry, new LabelLimiter([], 10));
    const codes = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'RON', 'BGN'];
    for (const currency of codes)
      record(event('code.sent', { billed: { price: { amount: '1', currency } } }));
    const metric = (await registry.getMetricsAsJSON()).find(
      (candidate) => candidate.name === 'otpflow_billed_price_total',
    );
    const labels = new Set(metric?.values.map((value) => value.labels.currency));
    expect(labels.size).toBe(11);
    expect(await valueOf(registry, 'otpflow_billed_price_total', { currency: 'other' })).toBe(2);
  });
});
