import { describe, expect, it } from 'vitest';
import { BudgetWatch, standingOf } from './budget-watch.js';
import { DEFAULT_THRESHOLDS } from './fraud-settings.js';
import type { Count } from './sliding-counts.js';

const count = (sent: number, verified = 0, matureSent = 0): Count => ({
  sent,
  verified,
  matureSent,
  matureVerified: 0,
});
const none = count(0);
const budgetOf = (budget: number, sample = 25, floor = 0.2) => ({
  scope: 'tenant-a',
  target: '+49',
  budget,
  sample,
  floor,
});

describe('standingOf', () => {
  it('is throttled once the next send would be over the budget, near from 80 % of it, else unlisted', () => {
    const at = (sent: number) =>
      standingOf('country_velocity', budgetOf(5), { shared: count(sent), unsynced: none })?.state;
    expect([3, 4, 5, 6].map(at)).toEqual([undefined, 'near', 'throttled', 'throttled']);
  });

  it('adds the shared figures and the unsynced ones, and reports both', () => {
    const standing = standingOf('country_velocity', budgetOf(5), {
      shared: count(3, 1),
      unsynced: count(2),
    });
    expect(standing).toMatchObject({
      reason: 'country_velocity',
      used: 5,
      state: 'throttled',
      shared: { sent: 3, verified: 1 },
      unsynced: { sent: 2, verified: 0 },
    });
  });

  it("spends a destination's unproven budget by its unverified codes, until its sample has matured", () => {
    const unproven = (counts: Count) =>
      standingOf('unproven_conversion', budgetOf(10, 25), { shared: counts, unsynced: none });
    expect(unproven(count(12, 2))).toMatchObject({ used: 10, state: 'throttled' });
    expect(unproven(count(12, 4))).toMatchObject({ used: 8, state: 'near' });
    expect(unproven(count(12, 5))).toBeUndefined();
    // 25 mature sends: its conversion judges it now, not the budget.
    expect(unproven(count(40, 0, 25))).toBeUndefined();
  });

  it("spends a network's budget by its sends beyond what its verified codes earn at the floor", () => {
    const network = (counts: Count) =>
      standingOf(
        'unproven_network',
        { ...budgetOf(3), scope: '*', target: '203.0.113.0/24' },
        {
          shared: counts,
          unsynced: none,
        },
      );
    // Each verified code earns 1 ÷ 20 % = 5 sends.
    expect(network(count(8, 1))).toMatchObject({
      reason: 'unproven_conversion',
      used: 3,
      state: 'throttled',
    });
    expect(network(count(7, 1))).toBeUndefined();
    expect(network(count(3))).toMatchObject({ scope: '*', target: '203.0.113.0/24', state: 'throttled' });
  });
});

describe('BudgetWatch', () => {
  const limits = { ...DEFAULT_THRESHOLDS, countryVelocity: 5, unprovenSends: 0, networkUnprovenSends: 3 };
  const keys = { country: 'p:tenant-a:+49', cc3: 'p:tenant-a:+49151', subnet: 's:203.0.113.0/24' };
  const targets = { country: '+49', cc3: '+49151', subnet: '203.0.113.0/24' };

  it('lists the budgets judged, throttled first, on the counts of their own counters', () => {
    const watch = new BudgetWatch(60_000);
    watch.note('tenant-a', keys, targets, limits, 0);
    const counts: Record<string, Count> = { 'p:tenant-a:+49': count(4), 's:203.0.113.0/24': count(3) };
    const standings = watch.standings((key) => ({ shared: counts[key] ?? none, unsynced: none }), 1_000);
    expect(standings.map(({ signal, target, state }) => [signal, target, state])).toEqual([
      ['unproven_network', '203.0.113.0/24', 'throttled'],
      ['country_velocity', '+49', 'near'],
    ]);
  });

  it('watches only the budgets that apply: none of unverified codes for a destination that is not risky', () => {
    const watch = new BudgetWatch(60_000);
    watch.note('tenant-a', { country: keys.country, cc3: keys.cc3 }, targets, limits, 0);
    const looked: string[] = [];
    watch.standings((key) => {
      looked.push(key);
      return { shared: none, unsynced: none };
    }, 0);
    expect(looked).toEqual(['p:tenant-a:+49']);
  });

  it('keeps the budget the last send was judged on, and forgets one not judged for longer than it keeps', () => {
    const watch = new BudgetWatch(60_000);
    const spent = () => ({ shared: count(4), unsynced: none });
    watch.note('tenant-a', keys, targets, limits, 0);
    watch.note('tenant-a', keys, targets, { ...limits, countryVelocity: 20 }, 30_000);
    expect(watch.standings(spent, 30_000).filter((s) => s.signal === 'country_velocity')).toEqual([]);
    watch.note('tenant-a', keys, targets, limits, 40_000);
    expect(watch.standings(spent, 100_000).map((s) => s.signal)).toContain('country_velocity');
    watch.prune(100_001);
    expect(watch.standings(spent, 100_001)).toEqual([]);
  });

  it('forgets a budget once a send there is judged without it (an established country has no unproven budget)', () => {
    const watch = new BudgetWatch(60_000);
    const unproven = { ...limits, countryVelocity: 0, unprovenSends: 2, networkUnprovenSends: 0 };
    const spent = () => ({ shared: count(5), unsynced: none });
    watch.note('tenant-a', keys, targets, unproven, 0);
    expect(watch.standings(spent, 1_000).map((s) => [s.signal, s.target])).toEqual([
      ['unproven_conversion', '+49'],
      ['unproven_conversion', '+49151'],
    ]);
    watch.note('tenant-a', keys, targets, { ...unproven, unprovenSends: 0 }, 2_000);
    expect(watch.standings(spent, 2_000)).toEqual([]);
  });
});
