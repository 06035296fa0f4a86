import { createLogger } from '@otpflow/telemetry';
import { describe, expect, it } from 'vitest';
import type { Decision } from './decision.js';
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
  syncCadence: { afterSends: 15, maxIntervalMs: 10_000 },
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
  /** A send as the issuer makes it: judged, and counted if allowed. */
  const issue = (facts: SendFacts): Decision => guard.assess(facts);
  return { guard, issue, outcomes, advance: (ms: number) => (now += ms), now: () => now };
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
    const { issue } = replica(new InMemoryFraudStore());
    const decisions = sequential(123_400, 300).map((number) => issue(send(number)).action);
    const firstBlock = decisions.indexOf('block');
    expect(firstBlock).toBeGreaterThan(0);
    expect(firstBlock).toBeLessThan(10);
    const blocked = decisions.slice(50).filter((action) => action === 'block').length;
    expect(blocked / 250).toBeGreaterThanOrEqual(0.95);
    // Three blocks of a hundred escalated to their cc+5: the sweep's next block is refused at once.
    expect(issue(send('+34600123901'))).toMatchObject({ action: 'block', target: '+3460012' });
  });

  it('shares counts and blocks with another replica through the store', async () => {
    const store = new InMemoryFraudStore();
    const first = replica(store);
    const second = replica(store);
    for (const number of sequential(500_000, 10)) first.issue(send(number));
    await first.guard.sync();
    await second.guard.sync();
    expect(second.issue(send('+34600500050'))).toMatchObject({
      action: 'block',
      reason: 'dense_range',
    });
  });

  it('counts verified codes into conversion: legitimate traffic that converts stays allowed', async () => {
    const store = new InMemoryFraudStore();
    const { guard, issue, advance, now } = replica(store);
    const refused: string[] = [];
    for (let index = 0; index < 400; index += 1) {
      const number = `+34${600_000_000 + ((index * 7_919_993) % 99_999_999)}`;
      const facts = send(number, { address: `198.51.${index % 250}.${index % 200}` });
      if (issue(facts).action !== 'allow') refused.push(number);
      else if (index % 5 !== 0) guard.verified({ ...facts, sentAt: new Date(now()) });
      advance(20_000);
      if (index % 10 === 0) await guard.sync();
    }
    expect(refused).toEqual([]);
  });

  it('credits a verification to the bucket its code was sent in, however late it comes', async () => {
    const store = new InMemoryFraudStore();
    const { guard, issue, advance, now } = replica(store);
    const facts = send('+34600123456');
    issue(facts);
    const sentAt = new Date(now());
    advance(700_000); // two buckets of 300 s later
    guard.verified({ ...facts, sentAt });
    await guard.sync();
    const bucketOfSend = sentAt.getTime() - (sentAt.getTime() % 300_000);
    expect(store.counts.get(`p:tenant-a:+34600|${bucketOfSend}`)).toMatchObject({ sent: 1, verified: 1 });
    // A code sent before the window has nothing left to credit.
    guard.verified({ ...facts, sentAt: new Date(now() - 4_000_000) });
    await guard.sync();
    expect([...store.counts.values()].reduce((sum, tally) => sum + tally.verified, 0)).toBe(3);
  });

  it('lets a new country grow in its grace, then only throttles it for a low conversion', async () => {
    const { guard, issue, advance } = replica(new InMemoryFraudStore(), {
      newCountryGrace: 20,
      conversionGraceSeconds: 0,
    });
    const actions: string[] = [];
    for (let index = 0; index < 120; index += 1) {
      // Spread over ten cc+3 ranges and a thousand cc+5: only the whole country has the evidence.
      const number = `+3361${String((index * 7_919_993) % 10_000_000).padStart(7, '0')}`;
      actions.push(issue(send(number, { countryCallingCode: '33' })).action);
      advance(30_000);
      if (index % 10 === 0) await guard.sync();
    }
    expect(actions.slice(0, 20)).toEqual(Array<string>(20).fill('allow'));
    expect(actions).toContain('throttle');
    expect(actions).not.toContain('block');
  });

  it('throttles a high-cost destination past its budget of unverified codes, not one whose codes are entered', () => {
    const drip = (verify: boolean) => {
      const { guard, issue, advance, now } = replica(new InMemoryFraudStore(), {
        highCostPrefixes: ['+234'],
      });
      return Array.from({ length: 40 }, (_, index) => {
        const facts = send(`+23480${String((index * 7_919_993) % 100_000_000).padStart(8, '0')}`, {
          countryCallingCode: '234',
        });
        const decision = issue(facts);
        if (verify && decision.action === 'allow') guard.verified({ ...facts, sentAt: new Date(now()) });
        advance(5_000);
        return decision;
      });
    };
    const pumped = drip(false);
    expect(pumped.slice(0, 10).map((decision) => decision.action)).toEqual(Array<string>(10).fill('allow'));
    expect(pumped.slice(10)).toEqual(
      Array<unknown>(30).fill(expect.objectContaining({ action: 'throttle', reason: 'unproven_conversion' })),
    );
    expect(drip(true).every((decision) => decision.action === 'allow')).toBe(true);
  });

  it('throttles a rotation through one network that enters none of its codes, not a network whose users do', () => {
    const rotate = (verify: boolean) => {
      // A country the tenant serves (its grace covers the run): only the network can tell.
      const { guard, issue, advance, now } = replica(new InMemoryFraudStore(), { newCountryGrace: 1000 });
      return Array.from({ length: 60 }, (_, index) => {
        // Many ranges and one address per send: no velocity, density or range conversion signal.
        const facts = send(`+4474${String((index * 7_919_993) % 100_000_000).padStart(8, '0')}`, {
          countryCallingCode: '44',
          address: `203.0.113.${index + 1}`,
        });
        const decision = issue(facts);
        if (verify && decision.action === 'allow')
          guard.verified({
            ...facts,
            sentAt: new Date(now()),
            network: { subnet: '203.0.113.0/24', sentAt: new Date(now()) },
          });
        advance(2_000);
        return decision;
      });
    };
    const pumped = rotate(false);
    expect(pumped.slice(0, 20).map((decision) => decision.action)).toEqual(Array<string>(20).fill('allow'));
    expect(pumped.slice(20)).toEqual(
      Array<unknown>(40).fill(
        expect.objectContaining({
          action: 'throttle',
          reason: 'unproven_conversion',
          target: '203.0.113.0/24',
        }),
      ),
    );
    expect(rotate(true).every((decision) => decision.action === 'allow')).toBe(true);
  });

  it("credits a verification to the network its code was asked from, in that request's bucket", async () => {
    const store = new InMemoryFraudStore();
    const { guard, advance, now } = replica(store);
    const askedAt = now();
    const bucketOfRequest = askedAt - (askedAt % 300_000);
    advance(400_000);
    const facts = send('+34600123456');
    guard.verified({
      ...facts,
      sentAt: new Date(now()),
      network: { subnet: '198.51.100.0/24', sentAt: new Date(askedAt) },
    });
    // Asked before the window: nothing left to credit.
    guard.verified({
      ...facts,
      sentAt: new Date(now()),
      network: { subnet: '198.51.100.0/24', sentAt: new Date(0) },
    });
    await guard.sync();
    expect(store.counts.get(`s:198.51.100.0/24|${bucketOfRequest}`)).toMatchObject({ sent: 0, verified: 1 });
    expect([...store.counts.values()].filter((tally) => tally.key.startsWith('s:'))).toHaveLength(1);
  });

  it('refuses a range whose codes are sent and never entered', async () => {
    const { guard, issue, advance } = replica(new InMemoryFraudStore());
    const actions: string[] = [];
    for (let index = 0; index < 200; index += 1) {
      // Spread over cc+5 ranges, a few per block: no velocity or density signal on its own.
      const number = `+3460${String(index % 10)}${String(100_000 + index * 37).padStart(6, '0')}`;
      actions.push(issue(send(number)).action);
      advance(30_000);
      if (index % 10 === 0) await guard.sync();
    }
    // No range holds enough sends to be judged alone: the whole country is, and since it is merely
    // new to the tenant (not of the high cost tier), it is throttled rather than blocked.
    expect(actions.slice(100).filter((action) => action === 'throttle').length).toBeGreaterThanOrEqual(90);
  });

  it('counts only the sends that went out, not those a cap refused after the guard allowed them', () => {
    const { guard, issue } = replica(new InMemoryFraudStore());
    // One cc+5 range, numbers in different blocks of a hundred: only prefix velocity applies (40, a
    // quarter of it, 10, in a country new to the tenant).
    const numbers = Array.from(
      { length: 100 },
      (_, index) => `+3460012${String(index * 100).padStart(4, '0')}`,
    );
    // Allowed, then refused by the per-number cap: withdrawn, so never counted.
    const capped = numbers.map((number) => {
      const decision = guard.assess(send(number));
      guard.withdrawn(send(number));
      return decision.action;
    });
    expect(capped).toEqual(Array<string>(100).fill('allow'));
    const admitted = numbers.map((number) => issue(send(number)).action);
    expect(admitted.indexOf('block')).toBe(10);
  });

  it('never refuses a test number or an allow-listed one, and only reports in monitor mode', () => {
    const { issue } = replica(new InMemoryFraudStore());
    const sweep = sequential(700_000, 40);
    for (const number of sweep) issue(send(number, { testNumber: true }));
    expect(sequential(999_990, 10).map((number) => issue(send(number)).action)).toContain('block');
    expect(issue(send('+34600999999')).action).toBe('allow');
    expect(issue(send('+447911123456')).action).toBe('allow');

    const monitor = replica(new InMemoryFraudStore(), { mode: 'monitor' });
    const actions = sequential(123_400, 30).map((number) => monitor.issue(send(number)).action);
    expect(new Set(actions)).toEqual(new Set(['allow']));
    expect(monitor.outcomes.some((outcome) => !outcome.enforced && outcome.decision.action === 'block')).toBe(
      true,
    );
  });

  it('lengthens a repeated block of the same address', async () => {
    const store = new InMemoryFraudStore();
    const { guard, issue, advance } = replica(store);
    const fromOneAddress = (offset: number) =>
      Array.from({ length: 20 }, (_, index) =>
        issue(send(`+3460${String(offset + index * 104_729).padStart(7, '0')}`, { address: '203.0.113.5' })),
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
