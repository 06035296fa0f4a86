import { createLogger } from '@otpflow/telemetry';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, type FraudSettings } from './fraud-settings.js';
import { SignalFraudGuard, type SendFacts } from './fraud-guard.js';
import { InMemoryFraudStore } from './in-memory-fraud.store.js';

const settings: FraudSettings = {
  mode: 'enforce',
  windowSeconds: 3600,
  buckets: 12,
  // A new country's burst is 20 × 25 % = 5 sends; a network keeps 3 codes unverified.
  thresholds: { ...DEFAULT_THRESHOLDS, countryVelocity: 20, networkUnprovenSends: 3 },
  riskFactor: 0.25,
  highCostPrefixes: [],
  allowPrefixes: [],
  allowNumbers: [],
  establishedCountryVerified: 5,
  blockSeconds: 900,
  maxBlockSeconds: 86_400,
  strikeMemorySeconds: 86_400,
  escalateAfter: 3,
  syncIntervalMs: 1000,
  syncCadence: { afterSends: 15, maxIntervalMs: 10_000 },
};
const logger = createLogger({ service: 'fraud-throttles-test', level: 'silent' });
const BUCKET_MS = 300_000;

/** Replicas sharing one store and one clock, as gateways behind a load balancer. */
function replicas(count: number) {
  const store = new InMemoryFraudStore();
  const clock = { now: 1_000_000_000 + 1_000 };
  return {
    clock,
    guards: Array.from(
      { length: count },
      () =>
        new SignalFraudGuard(
          settings,
          store,
          logger,
          () => undefined,
          () => clock.now,
        ),
    ),
  };
}

/** German mobiles in different ranges (no block of a hundred or cc+5 sees two), from one /24. */
const send = (index: number, address?: string): SendFacts => ({
  clientId: 'tenant-a',
  e164: `+49151${String(10 + index * 11)}345678`,
  countryCallingCode: '49',
  lineType: 'MOBILE',
  address,
  testNumber: false,
  tenant: undefined,
});

describe('SignalFraudGuard.throttles', () => {
  it("lists a network over its budget once it has read the other replica's counts, as its next send is judged", async () => {
    const { guards, clock } = replicas(2);
    const [first, second] = guards as [SignalFraudGuard, SignalFraudGuard];
    const network = (index: number) => send(index, `203.0.113.${index + 10}`);
    expect(first.assess(network(0)).action).toBe('allow');
    expect(first.assess(network(1)).action).toBe('allow');
    expect(second.assess(network(2)).action).toBe('allow');
    // On its own count (1 of 3) the second replica sees nothing near a budget.
    expect(second.throttles().budgets).toEqual([]);

    await first.sync();
    await second.sync();
    const report = second.throttles();
    expect(report.budgets).toEqual([
      {
        signal: 'unproven_network',
        reason: 'unproven_conversion',
        scope: '*',
        target: '203.0.113.0/24',
        budget: 3,
        used: 3,
        state: 'throttled',
        shared: { sent: 3, verified: 0 },
        unsynced: { sent: 0, verified: 0 },
      },
    ]);
    expect(report.throttledUntil).toBe(clock.now - (clock.now % BUCKET_MS) + BUCKET_MS);
    const refused = second.assess(network(3));
    expect(refused).toMatchObject({ action: 'throttle', target: '203.0.113.0/24' });
    expect(refused.action === 'throttle' && refused.retryAfterSeconds).toBe(
      Math.ceil((report.throttledUntil - clock.now) / 1000),
    );
  });

  it("shows a country's burst near its budget, then over it, with this replica's unsynced sends apart", async () => {
    const { guards } = replicas(2);
    const [first, second] = guards as [SignalFraudGuard, SignalFraudGuard];
    for (const index of [0, 1, 2]) first.assess(send(index));
    second.assess(send(3));
    await first.sync();
    await second.sync();
    expect(second.throttles().budgets).toEqual([
      expect.objectContaining({
        signal: 'country_velocity',
        target: '+49',
        state: 'near',
        used: 4,
        budget: 5,
      }),
    ]);
    expect(second.assess(send(4)).action).toBe('allow');
    expect(second.throttles().budgets).toEqual([
      expect.objectContaining({
        state: 'throttled',
        shared: { sent: 4, verified: 0 },
        unsynced: { sent: 1, verified: 0 },
      }),
    ]);
    expect(second.assess(send(5))).toMatchObject({ action: 'throttle', reason: 'country_velocity' });
    // The first replica judged +49 too, but sees the second's two sends only from its next sync.
    expect(first.throttles().budgets).toEqual([]);
  });

  it('names ranges and networks only, never a number, and forgets a budget nobody was judged on for a bucket', async () => {
    const { guards, clock } = replicas(1);
    const [guard] = guards as [SignalFraudGuard];
    // Each from another network: only the country's budget is spent.
    const sends = [0, 1, 2, 3, 4].map((index) => send(index, `198.51.${index}.1`));
    for (const facts of sends) guard.assess(facts);
    const listed = JSON.stringify(guard.throttles());
    expect(listed).toContain('"target":"+49"');
    for (const facts of sends) expect(listed).not.toContain(facts.e164);
    clock.now += BUCKET_MS + 1;
    await guard.sync();
    expect(guard.throttles().budgets).toEqual([]);
  });

  it('lists nothing for an allow-listed destination, whose sends are never throttled', () => {
    const guard = new SignalFraudGuard(
      { ...settings, allowPrefixes: ['+49'] },
      new InMemoryFraudStore(),
      logger,
      () => undefined,
    );
    for (const index of [0, 1, 2, 3, 4, 5, 6]) expect(guard.assess(send(index)).action).toBe('allow');
    expect(guard.throttles().budgets).toEqual([]);
  });
});
