// Which signal refused which send, for the fraud simulation. The answers never say (an attacker must
// learn nothing to tune to), so the sim watches the guard's rules instead: every block is a document
// of fraud_rules with its target and reason. A refused send is explained by the block that covered its
// number or its address when it was refused. A throttle (429 FRAUD_THROTTLED) leaves no document: its
// reason (country_velocity, low_conversion of a country merely new, unproven_conversion) is in the
// gateways' decisions metric, and the country it fell on is told here.

/** How long a block may take to reach the store after the send that decided it. */
const WRITE_LAG_MS = 3000;

/** The /24 of an IPv4 address, as the guard names it (the sim's addresses are all IPv4). */
const subnetOf = (ip) => `${ip.split('.').slice(0, 3).join('.')}.0/24`;

export class RuleWatcher {
  /** @param {import('mongodb').Db} db the run's database */
  constructor(db, intervalMs = 1000) {
    this.rules = db.collection('fraud_rules');
    this.intervalMs = intervalMs;
    /** Every version of every block seen: scope, target, reason, expiresAt, when first seen. */
    this.seen = new Map();
    this.timer = undefined;
    this.stopped = false;
  }

  start() {
    const poll = async () => {
      const now = Date.now();
      const blocks = await this.rules
        .find({ kind: 'block' })
        .toArray()
        .catch(() => []);
      for (const block of blocks) {
        const id = `${block._id}|${block.strikes}|${block.expiresAt?.getTime()}`;
        if (!this.seen.has(id))
          this.seen.set(id, {
            scope: block.scope,
            target: block.target,
            reason: block.reason,
            expiresAt: block.expiresAt?.getTime() ?? 0,
            seenAt: now,
          });
      }
      // A poll in flight when the watcher stops must not arm another: the process would never exit.
      if (!this.stopped) this.timer = setTimeout(poll, this.intervalMs);
    };
    this.timer = setTimeout(poll, this.intervalMs);
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * The reason and target a refused send was refused for: the matching block seen around the refusal
   * that lasts longest (as the guard picks it), or `unattributed` when no block was seen in time.
   */
  explain({ at, to, address, throttled }, clientId) {
    if (throttled) return { reason: 'throttle', target: to.slice(0, 4) };
    const subnet = subnetOf(address);
    const covering = [...this.seen.values()].filter(
      (block) =>
        block.seenAt <= at + WRITE_LAG_MS + this.intervalMs &&
        block.expiresAt >= at &&
        (block.scope === clientId
          ? to.startsWith(block.target)
          : block.target === address || block.target === subnet),
    );
    const block = covering.sort((a, b) => b.expiresAt - a.expiresAt)[0];
    return block ? { reason: block.reason, target: block.target } : { reason: 'unattributed', target: '' };
  }
}

/** Refusals by reason, each with the targets that refused most (how a false positive is found). */
export function breakdown(explained) {
  const byReason = {};
  for (const { reason, target } of explained) {
    const entry = (byReason[reason] ??= { refused: 0, targets: {} });
    entry.refused += 1;
    entry.targets[target] = (entry.targets[target] ?? 0) + 1;
  }
  for (const entry of Object.values(byReason))
    entry.targets = Object.fromEntries(
      Object.entries(entry.targets)
        .sort(([, a], [, b]) => b - a)
        .slice(0, 8),
    );
  return byReason;
}
