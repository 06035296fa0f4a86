import type { ActiveBlock } from './decision.js';
import { ruleId, type RuleDocument } from './fraud-store.js';
import { withinAny } from './ranges.js';

/** Every replica's rules as last read (plus the blocks this replica decided since), in memory. */
export class RuleCache {
  private blocks = new Map<string, ActiveBlock & { scope: string; local?: boolean }>();
  private allowed: { scope: string; target: string }[] = [];

  constructor(
    private readonly allowPrefixes: readonly string[],
    private readonly allowNumbers: ReadonlySet<string>,
  ) {}

  /**
   * The rules as read; a block decided here that the read does not have yet (its write is in flight,
   * or failed and the store will learn it from the next decision) stays until it expires.
   */
  replace(rules: readonly RuleDocument[], now: number): void {
    const blocks = new Map<string, ActiveBlock & { scope: string; local?: boolean }>();
    const allowed: { scope: string; target: string }[] = [];
    for (const rule of rules) {
      if (rule.kind === 'allow') allowed.push({ scope: rule.scope, target: rule.target });
      else if (rule.reason && rule.expiresAt)
        blocks.set(rule._id, {
          scope: rule.scope,
          target: rule.target,
          reason: rule.reason,
          expiresAt: rule.expiresAt.getTime(),
          strikes: rule.strikes ?? 1,
        });
    }
    for (const [id, local] of this.blocks) {
      const read = blocks.get(id);
      if (local.local && local.expiresAt > now && (!read || read.expiresAt < local.expiresAt))
        blocks.set(id, local);
    }
    this.blocks = blocks;
    this.allowed = allowed;
  }

  /** A block this replica just decided: it applies here at once, elsewhere from their next sync. */
  put(scope: string, block: ActiveBlock): void {
    this.blocks.set(ruleId(scope, block.target), { ...block, scope, local: true });
  }

  /** A block, active or remembered, of this target in this scope. */
  get(scope: string, target: string): ActiveBlock | undefined {
    return this.blocks.get(ruleId(scope, target));
  }

  /** The active blocks among these targets. */
  activeAmong(targets: readonly { scope: string; target: string }[], now: number): ActiveBlock[] {
    return targets
      .map(({ scope, target }) => this.get(scope, target))
      .filter((block): block is ActiveBlock => block !== undefined && block.expiresAt > now);
  }

  /** Active blocks of a scope strictly within a range: what escalates the range. */
  activeWithin(scope: string, range: string, now: number): number {
    let count = 0;
    for (const block of this.blocks.values())
      if (
        block.scope === scope &&
        block.expiresAt > now &&
        block.target !== range &&
        block.target.startsWith(range)
      )
        count += 1;
    return count;
  }

  /** The active blocks, of tenants' ranges and of addresses (every client's), for the gauge. */
  countActive(now: number): { range: number; address: number } {
    const counts = { range: 0, address: 0 };
    for (const block of this.blocks.values())
      if (block.expiresAt > now) counts[block.scope === '*' ? 'address' : 'range'] += 1;
    return counts;
  }

  /** Allow-listed by the settings or by an operator, for every client or for this one. */
  isAllowed(clientId: string, e164: string): boolean {
    if (this.allowNumbers.has(e164) || withinAny(e164, this.allowPrefixes)) return true;
    return this.allowed.some(
      ({ scope, target }) => (scope === '*' || scope === clientId) && e164.startsWith(target),
    );
  }
}
