import { ruleId, type GuardStore, type RuleDocument } from './fraud-store.js';
import type { BucketTally } from './sliding-counts.js';

/** The guard's store in memory: what several replicas share, for unit and component tests. */
export class InMemoryFraudStore implements GuardStore {
  readonly counts = new Map<string, BucketTally>();
  readonly rules = new Map<string, RuleDocument>();
  commands = 0;

  exchange(
    increments: readonly BucketTally[],
    keys: readonly string[],
    since: number,
  ): Promise<BucketTally[]> {
    if (increments.length > 0) this.commands += 1;
    for (const tally of increments) {
      const id = `${tally.key}|${tally.bucket}`;
      const stored = this.counts.get(id) ?? { key: tally.key, bucket: tally.bucket, sent: 0, verified: 0 };
      stored.sent += tally.sent;
      stored.verified += tally.verified;
      this.counts.set(id, stored);
    }
    if (keys.length === 0) return Promise.resolve([]);
    this.commands += 1;
    return Promise.resolve(
      [...this.counts.values()]
        .filter((tally) => keys.includes(tally.key) && tally.bucket >= since)
        .map((tally) => ({ ...tally })),
    );
  }

  readRules(now: Date): Promise<RuleDocument[]> {
    this.commands += 1;
    return Promise.resolve(
      [...this.rules.values()].filter((rule) => rule.kind === 'allow' || (rule.purgeAt ?? now) > now),
    );
  }

  writeBlock(block: Omit<RuleDocument, 'kind' | 'createdAt' | '_id'>, now: Date): Promise<void> {
    this.commands += 1;
    const id = ruleId(block.scope, block.target);
    this.rules.set(id, { _id: id, kind: 'block', createdAt: this.rules.get(id)?.createdAt ?? now, ...block });
    return Promise.resolve();
  }
}
