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
    expect(metric).toContain('action="block",reason="dense_range",enforced="true"} 1');
    expect(metric).toContain('action="block",reason="dense_range",enforced="false"} 1');
  });
});
