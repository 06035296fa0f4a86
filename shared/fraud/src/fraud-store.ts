import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { Counter, type Registry } from 'prom-client';
import { isDuplicateKeyError, type ExpiringCollection } from '@otpflow/mongo';
import type { FraudReason } from './signals.js';
import type { BucketTally } from './sliding-counts.js';

/** One bucket of one counter: `_id` is `key|bucket`. */
interface CountDocument extends BucketTally {
  _id: string;
  expireAt: Date;
}

/**
 * A rule every replica applies: a temporary block (of a tenant's range, or of an address for all) or
 * an allow-list entry. `_id` is `scope|target`; scope is a client id, or `*` for every client.
 */
export interface RuleDocument {
  _id: string;
  kind: 'block' | 'allow';
  scope: string;
  target: string;
  reason?: FraudReason;
  expiresAt?: Date;
  strikes?: number;
  createdAt: Date;
  /** A block's document outlives it by the strike memory, so a repeat lasts longer. */
  purgeAt?: Date;
  note?: string;
}

export const ruleId = (scope: string, target: string) => `${scope}|${target}`;

/** Counts every command the guard sends, for the cost figure (guard commands per send). */
export type CommandCounter = (count: number) => void;

/** otpflow_fraud_store_commands_total: the guard's own share of the store commands (its cost per send). */
export function fraudCommandCounter(registry: Registry): CommandCounter {
  const counter = new Counter({
    name: 'otpflow_fraud_store_commands_total',
    help: 'Store commands the fraud guard sent (counter syncs, rule reads, block writes)',
    registers: [registry],
  });
  return (count) => counter.inc(count);
}

export type StoreOperation = 'exchange' | 'read_rules' | 'write_block';

/** What the guard itself needs of the store (an in-memory twin serves the unit and component tests). */
export type GuardStore = Pick<FraudStore, 'exchange' | 'readRules' | 'writeBlock'>;

/**
 * The guard's two collections and the few commands it sends: one bulk write of every counted
 * increment and one read of the counters it counted, per sync; one read of the rules per sync; a write
 * when a block is decided or an operator changes a rule.
 */
export class FraudStore {
  private readonly counts: Collection<CountDocument>;
  private readonly rules: Collection<RuleDocument>;

  constructor(
    private readonly db: Db,
    private readonly onCommands: CommandCounter = () => undefined,
    private readonly onFailure: (operation: StoreOperation) => void = () => undefined,
  ) {
    this.counts = db.collection<CountDocument>('fraud_counts');
    this.rules = db.collection<RuleDocument>('fraud_rules');
  }

  expiringCollections(): ExpiringCollection[] {
    return [
      { collection: this.db.collection('fraud_counts'), field: 'expireAt', sweepGraceMs: 60_000 },
      { collection: this.db.collection('fraud_rules'), field: 'purgeAt' },
    ];
  }

  async ensureIndexes(): Promise<void> {
    await this.counts.createIndex({ key: 1, bucket: 1 }, { name: 'key_bucket' }, undefined);
  }

  /** Adds the increments, then reads the counters of `keys` from `since` on: two commands. */
  exchange(
    increments: readonly BucketTally[],
    keys: readonly string[],
    since: number,
    keepMs: number,
  ): Promise<BucketTally[]> {
    return this.counted('exchange', () => this.exchangeCounts(increments, keys, since, keepMs));
  }

  private async exchangeCounts(
    increments: readonly BucketTally[],
    keys: readonly string[],
    since: number,
    keepMs: number,
  ): Promise<BucketTally[]> {
    if (increments.length > 0) {
      const operations: AnyBulkWriteOperation<CountDocument>[] = increments.map((tally) => ({
        updateOne: {
          filter: { _id: `${tally.key}|${tally.bucket}` },
          update: {
            $inc: { sent: tally.sent, verified: tally.verified },
            $setOnInsert: { key: tally.key, bucket: tally.bucket, expireAt: new Date(tally.bucket + keepMs) },
          },
          upsert: true,
        },
      }));
      await this.bulkWriteRetryingRaces(operations);
    }
    if (keys.length === 0) return [];
    this.onCommands(1);
    const read = await this.counts
      .find({ key: { $in: [...keys] }, bucket: { $gte: since } }, { projection: { _id: 0, expireAt: 0 } })
      .toArray();
    return read.map(({ key, bucket, sent, verified }) => ({ key, bucket, sent, verified }));
  }

  /**
   * Two replicas upserting one new counter at once: on FerretDB (no atomic upserts) one of them can
   * fail with a duplicate key. The counter exists then, so those increments are sent once more; the
   * others of the batch were applied (unordered), and are not sent again.
   */
  private async bulkWriteRetryingRaces(operations: AnyBulkWriteOperation<CountDocument>[]): Promise<void> {
    this.onCommands(1);
    try {
      await this.counts.bulkWrite(operations, { ordered: false });
    } catch (error) {
      const errors = writeErrorsOf(error);
      if (errors.length === 0 || !errors.every(isDuplicateKeyError)) throw error;
      const again = errors.flatMap((writeError) => operations[writeError.index] ?? []);
      this.onCommands(1);
      await this.counts.bulkWrite(again, { ordered: false });
    }
  }

  /** Allow-list entries, and blocks still active or remembered. */
  readRules(now: Date): Promise<RuleDocument[]> {
    this.onCommands(1);
    return this.counted('read_rules', () =>
      this.rules.find({ $or: [{ kind: 'allow' }, { kind: 'block', purgeAt: { $gt: now } }] }).toArray(),
    );
  }

  writeBlock(block: Omit<RuleDocument, 'kind' | 'createdAt' | '_id'>, now: Date): Promise<void> {
    return this.counted('write_block', () => this.upsertBlock(block, now));
  }

  /** Runs one of the guard's operations, counting it when it fails (the guard logs and carries on). */
  private async counted<T>(operation: StoreOperation, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.onFailure(operation);
      throw error;
    }
  }

  private async upsertBlock(
    block: Omit<RuleDocument, 'kind' | 'createdAt' | '_id'>,
    now: Date,
  ): Promise<void> {
    this.onCommands(1);
    const { scope, target, ...rest } = block;
    const write = () =>
      this.rules.updateOne(
        { _id: ruleId(scope, target) },
        { $set: { kind: 'block', scope, target, ...rest }, $setOnInsert: { createdAt: now } },
        { upsert: true },
      );
    try {
      await write();
    } catch (error) {
      // Two replicas blocking one target at once (FerretDB's upserts are not atomic): it exists now.
      if (!isDuplicateKeyError(error)) throw error;
      this.onCommands(1);
      await write();
    }
  }

  async allow(scope: string, target: string, note: string | undefined, now: Date): Promise<void> {
    await this.rules.replaceOne(
      { _id: ruleId(scope, target) },
      { kind: 'allow', scope, target, createdAt: now, ...(note ? { note } : {}) },
      { upsert: true },
    );
  }

  /** Lifts a block (it stays remembered for repeats) or removes an allow-list entry. */
  async lift(kind: RuleDocument['kind'], scope: string, target: string, now: Date): Promise<boolean> {
    const id = ruleId(scope, target);
    if (kind === 'allow') return (await this.rules.deleteOne({ _id: id, kind: 'allow' })).deletedCount > 0;
    const result = await this.rules.updateOne(
      { _id: id, kind: 'block', expiresAt: { $gt: now } },
      { $set: { expiresAt: now } },
    );
    return result.matchedCount > 0;
  }

  async list(kind: RuleDocument['kind'], now: Date): Promise<RuleDocument[]> {
    const filter = kind === 'allow' ? { kind } : { kind, expiresAt: { $gt: now } };
    return this.rules.find(filter).sort({ _id: 1 }).limit(1000).toArray();
  }
}

/** The failed operations of a bulk write's error (the driver's MongoBulkWriteError), by index. */
function writeErrorsOf(error: unknown): { index: number; code: unknown }[] {
  const writeErrors = (error as { writeErrors?: unknown } | null)?.writeErrors;
  const list: unknown[] = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.filter(
    (entry): entry is { index: number; code: unknown } =>
      typeof entry === 'object' && entry !== null && typeof (entry as { index?: unknown }).index === 'number',
  );
}
