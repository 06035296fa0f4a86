import { createLogger } from '@otpflow/telemetry';
import type { OtpEventInput } from '@otpflow/contracts';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { FraudOutcome, SendFacts } from './fraud-guard.js';
import { fraudReporter } from './fraud-report.js';

const logger = createLogger({ service: 'fraud-test', level: 'silent' });
const send: SendFacts = {
  clientId: 'tenant-a',
  e164: '+34600123456',
  countryCallingCode: '34',
  lineType: 'MOBILE',
  address: undefined,
  testNumber: false,
  tenant: undefined,
};
const block = (extra: Partial<SendFacts>, enforced = true): FraudOutcome => ({
  decision: {
    action: 'block',
    reason: 'dense_range',
    target: '+346001234',
    retryAfterSeconds: 900,
    newBlock: true,
  },
  enforced,
  send: { ...send, ...extra },
});

describe('fraudReporter', () => {
  it("names a later workflow step's verification and channel, and a gateway's refusal by an id of its own", async () => {
    const events: OtpEventInput[] = [];
    const registry = new Registry();
    const report = fraudReporter({ emit: (event) => void events.push(event) }, registry, logger);
    report(block({ channel: 'voice', authenticationId: 'auth-1' }));
    report(block({}, false));
    expect(events[0]).toMatchObject({
      type: 'fraud.blocked',
      authenticationId: 'auth-1',
      channel: 'voice',
      reason: 'dense_range',
      enforced: true,
    });
    expect(events[1]).toMatchObject({ type: 'fraud.blocked', channel: 'sms', enforced: false });
    expect(events[1]?.authenticationId).not.toBe('auth-1');
    expect(JSON.stringify(events)).not.toContain(send.e164);
    const metric = await registry.getSingleMetricAsString('otpflow_fraud_decisions_total');
    expect(metric).toContain('action="block",reason="dense_range",enforced="true",country="34"} 1');
    expect(metric).toContain('action="block",reason="dense_range",enforced="false",country="34"} 1');
  });

  it('counts each decision under its destination country calling code, never anything finer', async () => {
    const registry = new Registry();
    const report = fraudReporter({ emit: () => undefined }, registry, logger);
    const throttle = (countryCallingCode: string): FraudOutcome => ({
      decision: {
        action: 'throttle',
        reason: 'country_velocity',
        target: `+${countryCallingCode}`,
        retryAfterSeconds: 60,
        newBlock: false,
      },
      enforced: true,
      send: { ...send, e164: `+${countryCallingCode}7911123456`, countryCallingCode },
    });
    report(block({ e164: '+447911123456', countryCallingCode: '44' }));
    report(block({ e164: '+447911123457', countryCallingCode: '44' }));
    report(throttle('39'));
    // Not a calling code (a range, a number, nothing): bounded as unknown, never a label of its own.
    for (const notACode of ['4479', '+44', '', '044']) report(throttle(notACode));

    const metric = await registry.getSingleMetricAsString('otpflow_fraud_decisions_total');
    const countries = [...metric.matchAll(/country="([^"]*)"\} (\d+)/g)].map(([, country, count]) => [
      country,
      Number(count),
    ]);
    expect(Object.fromEntries(countries)).toEqual({ '44': 2, '39': 1, unknown: 4 });
    expect(metric).toContain('action="block",reason="dense_range",enforced="true",country="44"} 2');
    expect(metric).toContain('action="throttle",reason="country_velocity",enforced="true",country="39"} 1');
    expect(metric).not.toContain('7911');
  });
});
