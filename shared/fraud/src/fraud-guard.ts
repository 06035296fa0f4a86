import type { Logger } from '@otpflow/telemetry';
import { BudgetWatch, type ThrottleReport } from './budget-watch.js';
import { blockSeconds, decide, type Decision } from './decision.js';
import type { GuardStore } from './fraud-store.js';
import { thresholdsFor, type FraudSettings } from './fraud-settings.js';
import { parentRange, rangesOf, subnetOf, withinAny } from './ranges.js';
import { RuleCache } from './rule-cache.js';
import { findingsOf, type FraudReason, type Observation, type Targets } from './signals.js';
import { SlidingCounts } from './sliding-counts.js';
import { DistinctNumbers } from './distinct-numbers.js';
import { counterKeysOf, networkKeyOf } from './counter-keys.js';
import type { FraudGuard, FraudOutcome, LineType, Refusal, SendFacts, VerifiedFacts } from './fraud-port.js';

export type { FraudGuard, FraudOutcome, LineType, Refusal, SendFacts, VerifiedFacts } from './fraud-port.js';

/** Line types that are a plain mobile: anything else is of the high cost tier. */
const PLAIN_MOBILE: readonly (LineType | undefined)[] = ['MOBILE', 'FIXED_LINE_OR_MOBILE'];
const ANY_CLIENT = '*';

/**
 * The self-hosted fraud guard: counts every send and verification per tenant and range (and per
 * end-user address) in sliding windows shared by every replica through batched counters in MongoDB,
 * judges each send on those counts with the signals, and blocks ranges and addresses temporarily, with
 * blocks that grow on repeat and escalate to the range above. Counts and rules are synced on a timer
 * (SignalFraudGuard.sync), so a decision is made from memory.
 */
export class SignalFraudGuard implements FraudGuard {
  private readonly counts: SlidingCounts;
  private readonly distinct: DistinctNumbers;
  private readonly rules: RuleCache;
  private readonly budgets: BudgetWatch;
  /** Sends counted since the last sync began (what makes the next one worth its commands). */
  private sendsSinceSync = 0;

  constructor(
    private readonly settings: FraudSettings,
    private readonly store: GuardStore,
    private readonly logger: Logger,
    private readonly report: (outcome: FraudOutcome) => void,
    private readonly clock: () => number = Date.now,
  ) {
    this.counts = new SlidingCounts(
      settings.windowSeconds * 1000,
      settings.buckets,
      (settings.conversionGraceSeconds ?? 0) * 1000,
    );
    this.distinct = new DistinctNumbers();
    // A budget not judged for a bucket is forgotten: its counter's shared figure is no longer read
    // at each sync (touchedKeys), so what it would list would be stale.
    this.budgets = new BudgetWatch(this.counts.windowMs / this.counts.buckets);
    this.rules = new RuleCache(settings.allowPrefixes, new Set(settings.allowNumbers));
  }

  assess(send: SendFacts): Decision {
    const { settings } = this;
    if (settings.mode === 'off' || send.testNumber) return { action: 'allow' };
    const now = this.clock();
    const ranges = rangesOf(send.e164, send.countryCallingCode);
    const keys = counterKeysOf(send, ranges);
    const targets: Targets = {
      ...ranges,
      ...(send.address ? { ip: send.address, subnet: subnetOf(send.address) } : {}),
    };
    const countryCount = this.counts.total(keys.country, now);
    const newCountry = countryCount.verified < settings.establishedCountryVerified;
    const limits = thresholdsFor(
      settings.thresholds,
      send.tenant,
      {
        highCost: withinAny(send.e164, settings.highCostPrefixes) || !PLAIN_MOBILE.includes(send.lineType),
        newCountry,
        inGrace: newCountry && countryCount.sent < (settings.newCountryGrace ?? 0),
      },
      settings.riskFactor,
    );
    const exempt = this.rules.isAllowed(send.clientId, send.e164);
    // An allow-listed send is never throttled: its budgets must not be listed as if it were.
    if (!exempt) this.budgets.note(send.clientId, keys, targets, limits, now);

    const newNumber = !this.distinct.seen(keys.dense, send.e164, this.counts.windowStart(now));
    const withThis = (counted: string) => {
      const count = this.counts.total(counted, now);
      return { ...count, sent: count.sent + 1 };
    };
    const observed: Observation = {
      country: withThis(keys.country),
      cc3: withThis(keys.cc3),
      cc5: withThis(keys.cc5),
      denseNumbers: this.counts.total(keys.dense, now).sent + (newNumber ? 1 : 0),
      ...(keys.ip && keys.subnet ? { ip: withThis(keys.ip), subnet: withThis(keys.subnet) } : {}),
    };
    const decision = decide({
      exempt,
      blocks: this.rules.activeAmong(
        [
          ...[ranges.country, ranges.cc3, ranges.cc5, ranges.block].map((target) => ({
            scope: send.clientId,
            target,
          })),
          ...[targets.ip, targets.subnet].flatMap((target) =>
            target ? [{ scope: ANY_CLIENT, target }] : [],
          ),
        ],
        now,
      ),
      findings: findingsOf(observed, limits, targets),
      now,
      bucketEndsAt: this.bucketEndsAt(now),
      blockSecondsFor: (target) => this.blockLength(scopeOf(target, targets, send.clientId), target, now),
    });

    const enforced = settings.mode === 'enforce';
    if (decision.action === 'allow' || !enforced) this.count(send, keys, newNumber, now);
    if (decision.action === 'allow') return decision;
    if (decision.newBlock) this.applyBlock(decision, send.clientId, targets, ranges, now);
    this.report({ decision, enforced, send });
    return enforced ? decision : { action: 'allow' };
  }

  withdrawn(send: SendFacts): void {
    if (this.settings.mode === 'off' || send.testNumber) return;
    const keys = counterKeysOf(send, rangesOf(send.e164, send.countryCallingCode));
    const now = this.clock();
    // Into the current bucket: the window's totals are right again at once (at a bucket's turn the
    // send stays one bucket older than it was, which only moves it between mature and young).
    for (const counted of [keys.country, keys.cc3, keys.cc5, keys.ip, keys.subnet])
      if (counted) this.counts.add(counted, 'sent', now, -1);
  }

  /**
   * A send as good as sent, counted the moment it is allowed, so that concurrent sends see each
   * other; `withdrawn` takes it back if a cap or a failure stops it after the guard.
   */
  private count(
    send: SendFacts,
    keys: ReturnType<typeof counterKeysOf>,
    newNumber: boolean,
    now: number,
  ): void {
    this.sendsSinceSync += 1;
    for (const counted of [keys.country, keys.cc3, keys.cc5, keys.ip, keys.subnet])
      if (counted) this.counts.add(counted, 'sent', now);
    if (newNumber) {
      this.distinct.add(keys.dense, send.e164, now);
      this.counts.add(keys.dense, 'sent', now);
    }
  }

  /**
   * Credits the verification to the bucket its code was sent in, however late it comes: a range's
   * conversion compares its sends with the verifications of those sends, so a code entered after its
   * bucket ended (a slow user, a loaded machine) does not leave that bucket looking unconverted. A
   * code sent before the window has nothing left to credit. The network the code was asked from is
   * credited the same way, in the bucket of the request it counted (the verification's first send).
   */
  verified(facts: VerifiedFacts): void {
    if (this.settings.mode === 'off') return;
    const now = this.clock();
    const windowStart = this.counts.windowStart(now);
    const sentAt = Math.min(now, facts.sentAt.getTime());
    if (sentAt >= windowStart) {
      const keys = counterKeysOf(
        { clientId: facts.clientId, address: undefined },
        rangesOf(facts.e164, facts.countryCallingCode),
      );
      for (const counted of [keys.country, keys.cc3, keys.cc5]) this.counts.add(counted, 'verified', sentAt);
    }
    const network = facts.network;
    const askedAt = network ? Math.min(now, network.sentAt.getTime()) : 0;
    if (network && askedAt >= windowStart) this.counts.add(networkKeyOf(network.subnet), 'verified', askedAt);
  }

  /** Sends counted since the last sync began: fraud-sync syncs once they share its commands. */
  sendsAwaitingSync(): number {
    return this.sendsSinceSync;
  }

  /** Flushes the counts, reads back the shared ones and the rules: three commands per replica and sync. */
  async sync(): Promise<void> {
    const now = this.clock();
    this.sendsSinceSync = 0;
    const increments = this.counts.takePending();
    const keys = this.counts.touchedKeys(now);
    try {
      const keepMs = this.counts.windowMs + this.counts.windowMs / this.counts.buckets;
      const read = await this.store.exchange(increments, keys, this.counts.windowStart(now), keepMs);
      this.counts.settle(keys, read, this.clock());
    } catch (error) {
      this.counts.restore();
      this.logger.warn({ err: error }, 'fraud guard: could not sync its counters');
    }
    try {
      const rules = await this.store.readRules(new Date(now));
      this.rules.replace(rules, this.clock());
    } catch (error) {
      this.logger.warn({ err: error }, 'fraud guard: could not read its rules');
    }
    this.distinct.prune(this.counts.windowStart(now));
    this.budgets.prune(now);
  }

  /**
   * The throttle budgets this replica sees spent (its next send there is throttled) or nearly so, on
   * the counts it judges by: the shared figures it last synced and its own since. A throttle ends
   * with the current bucket (`throttledUntil`), when the window slides and the send is judged again.
   */
  throttles(): ThrottleReport {
    const now = this.clock();
    return {
      now,
      throttledUntil: this.bucketEndsAt(now),
      budgets: this.budgets.standings((key) => this.counts.figures(key, now), now),
    };
  }

  /** The blocks this replica applies now (as last synced, and its own since). */
  activeBlocks(): { range: number; address: number } {
    return this.rules.countActive(this.clock());
  }

  private bucketEndsAt(now: number): number {
    return this.counts.bucketOf(now) + this.counts.windowMs / this.counts.buckets;
  }

  private blockLength(scope: string, target: string, now: number): number {
    const { settings } = this;
    const previous = this.rules.get(scope, target);
    const strikes = previous && previous.expiresAt <= now ? previous.strikes : 0;
    return blockSeconds(strikes, settings.blockSeconds, settings.maxBlockSeconds);
  }

  /** Writes a decided block for every replica, and escalates to the range above on repeat. */
  private applyBlock(
    decision: Refusal,
    clientId: string,
    targets: Targets,
    ranges: ReturnType<typeof rangesOf>,
    now: number,
  ): void {
    const scope = scopeOf(decision.target, targets, clientId);
    this.writeBlock(scope, decision.target, decision.reason, decision.retryAfterSeconds, now);
    if (scope === ANY_CLIENT) return;
    const parent = parentRange(ranges, decision.target);
    if (parent && this.rules.activeWithin(scope, parent, now) >= this.settings.escalateAfter) {
      this.writeBlock(scope, parent, decision.reason, this.blockLength(scope, parent, now), now);
    }
  }

  private writeBlock(scope: string, target: string, reason: FraudReason, seconds: number, now: number): void {
    const previous = this.rules.get(scope, target);
    const strikes = previous && previous.expiresAt <= now ? previous.strikes + 1 : 1;
    const block = { target, reason, expiresAt: now + seconds * 1000, strikes };
    this.rules.put(scope, block);
    const purgeAt = new Date(block.expiresAt + this.settings.strikeMemorySeconds * 1000);
    this.store
      .writeBlock(
        { scope, target, reason, expiresAt: new Date(block.expiresAt), strikes, purgeAt },
        new Date(now),
      )
      .catch((error: unknown) => this.logger.warn({ err: error }, 'fraud guard: could not store a block'));
  }
}

/** Addresses are blocked for every client; a range only for the client whose traffic tripped it. */
function scopeOf(target: string, targets: Targets, clientId: string): string {
  return target === targets.ip || target === targets.subnet ? ANY_CLIENT : clientId;
}
