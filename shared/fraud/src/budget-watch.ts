import type { FraudThresholds } from './fraud-settings.js';
import { unearnedSends, unverifiedCodes, type FraudReason } from './signals.js';
import type { Count, Tally } from './sliding-counts.js';

/**
 * The throttles that spend a budget (signals.ts): a country's sends (`country_velocity`), a risky
 * country's or cc+3's unverified codes while its conversion is unknown (`unproven_conversion`), and an
 * address network's sends beyond what its verified codes earn (`unproven_network`, reported as
 * `unproven_conversion`). A throttle judged on conversion alone (a new country's `low_conversion`)
 * has no budget and is not watched.
 */
export const BUDGET_SIGNALS = ['country_velocity', 'unproven_conversion', 'unproven_network'] as const;
export type BudgetSignal = (typeof BUDGET_SIGNALS)[number];

/** A budget is listed once this share of it is spent: the SRE sees a throttle coming, not only there. */
export const NEAR_BUDGET_SHARE = 0.8;

const REASON_OF: Record<BudgetSignal, FraudReason> = {
  country_velocity: 'country_velocity',
  unproven_conversion: 'unproven_conversion',
  unproven_network: 'unproven_conversion',
};

/** A budget as the last send judged on it set it (its tenant's, for its destination's risk). */
interface Judged {
  signal: BudgetSignal;
  /** client id, or `*` for a network (every tenant's). */
  scope: string;
  target: string;
  budget: number;
  /** The unproven budgets apply only while the counter has fewer mature sends than this. */
  sample: number;
  /** The conversion floor a network's verified codes earn sends at. */
  floor: number;
  judgedAt: number;
}

/** One budget at or near its end, as this replica sees it now. */
export interface BudgetStanding {
  signal: BudgetSignal;
  reason: FraudReason;
  scope: string;
  target: string;
  budget: number;
  /** What is spent of it: sends, unverified codes, or a network's unearned sends. */
  used: number;
  /** The next send it judges is refused (until the current bucket ends), or it is nearly so. */
  state: 'throttled' | 'near';
  /** The shared figures as last synced, and what this replica counted since. */
  shared: Tally;
  unsynced: Tally;
}

/** The budgets a replica sees spent or nearly so, at `now`; a throttle there lasts until `throttledUntil`. */
export interface ThrottleReport {
  now: number;
  throttledUntil: number;
  budgets: BudgetStanding[];
}

/** A send's counters (country, cc+3, network) and the ranges and network they count. */
interface Judging {
  country: string;
  cc3: string;
  subnet?: string;
}

/**
 * Remembers the budgets the guard judged sends on (one entry per signal and counter, updated in place,
 * so a send costs no allocation once its counters are known) and tells which are spent or nearly so,
 * from the counts as the replica has them. An entry not judged within `keepMs` is dropped: its
 * counter is no longer read at each sync, so its figures would be stale.
 */
export class BudgetWatch {
  private readonly judged = new Map<BudgetSignal, Map<string, Judged>>(
    BUDGET_SIGNALS.map((signal) => [signal, new Map()]),
  );

  constructor(private readonly keepMs: number) {}

  /**
   * A send judged on these limits (its tenant's, for its destination's risk), for these counters. A
   * budget the send was not judged on (none for its tenant, or no longer: an established country has
   * no unproven budget) is forgotten, so the listing never shows a throttle that would not apply.
   */
  note(clientId: string, keys: Judging, targets: Judging, limits: FraudThresholds, now: number): void {
    const sample = limits.conversionSample;
    const floor = limits.minConversion;
    if (limits.countryVelocity > 0)
      this.put('country_velocity', keys.country, clientId, targets.country, limits.countryVelocity, now);
    else this.forget('country_velocity', keys.country);
    const unproven = limits.unprovenSends ?? 0;
    if (unproven > 0) {
      this.put('unproven_conversion', keys.country, clientId, targets.country, unproven, now, sample);
      this.put('unproven_conversion', keys.cc3, clientId, targets.cc3, unproven, now, sample);
    } else {
      this.forget('unproven_conversion', keys.country);
      this.forget('unproven_conversion', keys.cc3);
    }
    // The network's counter is every tenant's, its budget the judged send's tenant's (scaled by its
    // policy): the listing shows the budget of the last send judged there.
    const network = limits.networkUnprovenSends ?? 0;
    if (network > 0 && floor > 0 && keys.subnet && targets.subnet)
      this.put('unproven_network', keys.subnet, '*', targets.subnet, network, now, sample, floor);
    else if (keys.subnet) this.forget('unproven_network', keys.subnet);
  }

  /** The budgets spent or nearly so, throttled first, then the most spent. */
  standings(countsOf: (key: string) => { shared: Count; unsynced: Count }, now: number): BudgetStanding[] {
    this.prune(now);
    const standings: BudgetStanding[] = [];
    for (const [signal, entries] of this.judged)
      for (const [key, entry] of entries) {
        const standing = standingOf(signal, entry, countsOf(key));
        if (standing) standings.push(standing);
      }
    const rank = (standing: BudgetStanding) => (standing.state === 'throttled' ? 1 : 0);
    return standings.sort((a, b) => rank(b) - rank(a) || b.used / b.budget - a.used / a.budget);
  }

  /** Drops the entries judged too long ago (also done while listing). */
  prune(now: number): void {
    for (const entries of this.judged.values())
      for (const [key, entry] of entries) if (entry.judgedAt < now - this.keepMs) entries.delete(key);
  }

  private forget(signal: BudgetSignal, key: string): void {
    this.judged.get(signal)?.delete(key);
  }

  private put(
    signal: BudgetSignal,
    key: string,
    scope: string,
    target: string,
    budget: number,
    now: number,
    sample = 0,
    floor = 0,
  ): void {
    const entries = this.judged.get(signal);
    const entry = entries?.get(key);
    if (!entry) {
      entries?.set(key, { signal, scope, target, budget, sample, floor, judgedAt: now });
      return;
    }
    entry.budget = budget;
    entry.sample = sample;
    entry.floor = floor;
    entry.judgedAt = now;
  }
}

/**
 * A budget's standing on the counts as they are now, or nothing when it is far from spent or does not
 * apply (an unproven budget once its counter has a mature sample: its conversion judges it then).
 * Throttled: the next send, counted as a decision counts it, would be over the budget, as in signals.ts.
 */
export function standingOf(
  signal: BudgetSignal,
  entry: Pick<Judged, 'scope' | 'target' | 'budget' | 'sample' | 'floor'>,
  counts: { shared: Count; unsynced: Count },
): BudgetStanding | undefined {
  const { shared, unsynced } = counts;
  const total: Count = {
    sent: shared.sent + unsynced.sent,
    verified: shared.verified + unsynced.verified,
    matureSent: shared.matureSent + unsynced.matureSent,
    matureVerified: shared.matureVerified + unsynced.matureVerified,
  };
  if (signal !== 'country_velocity' && total.matureSent >= entry.sample) return undefined;
  const used = usedOf(signal, total, entry.floor);
  const throttled = used + 1 > entry.budget;
  if (!throttled && used < entry.budget * NEAR_BUDGET_SHARE) return undefined;
  return {
    signal,
    reason: REASON_OF[signal],
    scope: entry.scope,
    target: entry.target,
    budget: entry.budget,
    used: Math.round(used * 100) / 100,
    state: throttled ? 'throttled' : 'near',
    shared: { sent: shared.sent, verified: shared.verified },
    unsynced: { sent: unsynced.sent, verified: unsynced.verified },
  };
}

function usedOf(signal: BudgetSignal, total: Count, floor: number): number {
  if (signal === 'country_velocity') return total.sent;
  if (signal === 'unproven_conversion') return unverifiedCodes(total);
  return unearnedSends(total, floor);
}
