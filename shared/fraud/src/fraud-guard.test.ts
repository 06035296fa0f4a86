import { createLogger } from '@otpflow/telemetry';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, type FraudSettings } from './fraud-settings.js';
import { SignalFraudGuard, type FraudOutcome, type SendFacts } from './fraud-guard.js';
import { InMemoryFraudStore } from './in-memory-fraud.store.js';

const settings: FraudSettings = {
  mode: 'enforce',
  windowSeconds: 3600,
  buckets: 12,
  thresholds: DEFAULT_THRESHOLDS,
  riskFactor: 0.25,
  highCostPrefixes: ['+881'],
  allowPrefixes: ['+4479'],
  allowNumbers: ['+34600999999'],
  establishedCountryVerified: 5,
  blockSeconds: 900,
  maxBlockSeconds: 86_400,
  strikeMemorySeconds: 86_400,
  escalateAfter: 3,
  syncIntervalMs: 1000,
};
const logger = createLogger({ service: 'fraud-test', level: 'silent' });

function replica(store: InMemoryFraudStore, overrides: Partial<FraudSettings> = {}) {
  let now = 1_000_000_000;
  const outcomes: FraudOutcome[] = [];
  const guard = new SignalFraudGuard(
    { ...settings, ...overrides },
    store,
    logger,
    (o) => outcomes.push(o),
    () => now,
  );
  return { guard, outcomes, advance: (ms: number) => (now += ms) };
}

const send = (e164: string, extra: Partial<SendFacts> = {}): SendFacts => ({
  clientId: 'tenant-a',
  e164,
  countryCallingCode: e164.startsWith('+34') ? '34' : e164.slice(1, 3),
  lineType: 'MOBILE',
  address: undefined,
  testNumber: false,
  tenant: undefined,
  ...extra,
});

/** A sequential sweep: +34600123400, +34600123401, ... */
const sequential = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => `+34600${String(from + index).padStart(6, '0')}`);

describe('SignalFraudGuard', () => {
  it('blocks a sequential sweep within a few sends and escalates to the range above', () => {
    const { guard } = replica(new InMemoryFraudStore());
    const decisions = sequential(123_400, 300).map((number) => guard.assess(send(number)).action);
    const firstBlock = decisions.indexOf('block');
    expect(firstBlock).toBeGreaterThan(0);
    expect(firstBlock).toBeLessThan(10);
    const blocked = decisions.slice(50).filter((action) => action === 'block').length;
    expect(blocked / 250).toBeGreaterThanOrEqual(0.95);
    // Three blocks of a hundred escalated to their cc+5: the sweep's next block is refused at once.
    expect(guard.assess(send('+34600123901'))).toMatchObject({ action: 'block', target: '+3460012' });
  });

  it('shares counts and blocks with another replica through the store', async () => {
    const store = new InMemoryFraudStore();
    const first = replica(store);
    const second = replica(store);
    for (const number of sequential(500_000, 10)) first.guard.assess(send(number));
    await first.guard.sync();
    await second.guard.sync();
    expect(second.guard.assess(send('+34600500050'))).toMatchObject({
      action: 'block',
      reason: 'dense_range',
    });
  });

  it('counts verified codes into conversion: legitimate traffic that converts stays allowed', async () => {
    const store = new InMemoryFraudStore();
    const { guard, advance } = replica(store);
    const refused: string[] = [];
    for (let index = 0; index < 400; index += 1) {
      const number = `+34${600_000_000 + ((index * 7_919_993) % 99_999_999)}`;
      const facts = send(number, { address: `198.51.${index % 250}.${index % 200}` });
      if (guard.assess(facts).action !== 'allow') refused.push(number);
      else if (index % 5 !== 0) guard.verified(facts);
      advance(20_000);
      if (index % 10 === 0) await guard.sync();
    }
    expect(refused).toEqual([]);
  });

  it('blocks a range whose codes are sent and never entered', async () => {
    const { guard, advance } = replica(new InMemoryFraudStore());
    const actions: string[] = [];
    for (let index = 0; index < 200; index += 1) {
      // Spread over cc+5 ranges, a few per block: no velocity or density signal on its own.
      const number = `+3460${String(index % 10)}${String(100_000 + index * 37).padStart(6, '0')}`;
      actions.push(guard.assess(send(number)).action);
      advance(30_000);
      if (index % 10 === 0) await guard.sync();
    }
    expect(actions.slice(100).filter((action) => action === 'block').length).toBeGreaterThanOrEqual(90);
  });

  it('never refuses a test number or an allow-listed one, and only reports in monitor mode', () => {
    const { guard } = replica(new InMemoryFraudStore());
    const sweep = sequential(700_000, 40);
    for (const number of sweep) guard.assess(send(number, { testNumber: true }));
    expect(sequential(999_990, 10).map((number) => guard.assess(send(number)).action)).toContain('block');
    expect(guard.assess(send('+34600999999')).action).toBe('allow');
    expect(guard.assess(send('+447911123456')).action).toBe('allow');

    const monitor = replica(new InMemoryFraudStore(), { mode: 'monitor' });
    const actions = sequential(123_400, 30).map((number) => monitor.guard.assess(send(number)).action);
    expect(new Set(actions)).toEqual(new Set(['allow']));
    expect(monitor.outcomes.some((outcome) => !outcome.enforced && outcome.decision.action === 'block')).toBe(
      true,
    );
  });

  it('lengthens a repeated block of the same address', async () => {
    const store = new InMemoryFraudStore();
    const { guard, advance } = replica(store);
    const fromOneAddress = (offset: number) =>
      Array.from({ length: 20 }, (_, index) =>
        guard.assess(
          send(`+3460${String(offset + index * 104_729).padStart(7, '0')}`, { address: '203.0.113.5' }),
        ),
      ).find((decision) => decision.action === 'block');
    const first = fromOneAddress(1_000_000);
    expect(first).toMatchObject({ reason: 'address_velocity', retryAfterSeconds: 900 });
    await guard.sync();
    advance(3_700_000);
    await guard.sync();
    const second = fromOneAddress(3_000_000);
    expect(second).toMatchObject({ reason: 'address_velocity', retryAfterSeconds: 3600 });
  });
});
