import {
  isDuplicateKeyError,
  numberDocumentOf,
  type CodeEntry,
  type NumberDocument,
  type NumbersCollectionDocument,
  type StoreCapabilities,
} from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { Collection } from 'mongodb';
import { reissueOf } from '../code-entries.js';
import { deadFieldsOf, refusalOf } from '../number-rules.js';
import type {
  CancelResult,
  CheckResult,
  CodeRef,
  Issued,
  IssueResult,
  Reissue,
  SendRules,
  SessionStore,
  StoredCode,
} from '../session-store.js';
import type { AttemptGuard } from './attempt-guard.js';
import { issueWrite, reissueWrite, rulesProjection, withdrawWrite } from './number-writes.js';

/** Dead fields a send's document may carry before the send removes them with one more update. */
const TIDY_THRESHOLD = 4;
/** A first send racing another first send for one number retries this often. */
const WRITE_ROUNDS = 3;

export interface MongoSessionStoreOptions {
  collection: Collection<NumbersCollectionDocument>;
  guard: AttemptGuard;
  capabilities: Pick<StoreCapabilities, 'findAndModifyProjection'>;
  logger: Logger;
}

/**
 * The number-state store on MongoDB (and FerretDB): every operation one or two commands on one
 * document, by its `_id`. Checks and cancels go through the attempt guard the store's capabilities
 * chose; issuing is one conditional upsert whose refusal (a duplicate key on `_id`) is explained by
 * one read, only then.
 */
export class MongoSessionStore implements SessionStore {
  readonly strategy: SessionStore['strategy'];

  constructor(private readonly options: MongoSessionStoreOptions) {
    this.strategy = options.guard.strategy;
  }

  async issue(ref: CodeRef, entry: CodeEntry, rules: SendRules, now: Date): Promise<IssueResult> {
    const { collection, capabilities } = this.options;
    const write = issueWrite(ref, entry, rules, now);
    for (let round = 1; ; round += 1) {
      try {
        const before = numberDocumentOf(
          await collection.findOneAndUpdate(write.filter, write.update, {
            upsert: true,
            returnDocument: 'before',
            ...(capabilities.findAndModifyProjection ? { projection: rulesProjection(ref.tenantKey) } : {}),
          }),
        );
        const tenant = before?.tenants?.[ref.tenantKey];
        this.tidy(before, ref, now, write.windows);
        const code: StoredCode = {
          ref,
          entry,
          live: true,
          status: 'pending',
          attemptsLeft: entry.attemptsLeft,
        };
        return {
          kind: 'issued',
          issued: {
            code,
            before: {
              ...(tenant?.live ? { live: tenant.live } : {}),
              ...(tenant?.nextCodeAt ? { nextCodeAt: tenant.nextCodeAt } : {}),
            },
            windows: write.windows,
          },
        };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const refusal = refusalOf(await this.rulesOf(ref), ref.tenantKey, rules, now);
        if (refusal) return { kind: 'refused', refusal };
        // The document appeared between the query and the insert (another first code): again.
        if (round >= WRITE_ROUNDS) throw error;
      }
    }
  }

  async reissue(
    code: StoredCode,
    next: Reissue,
    rules: SendRules,
    now: Date,
  ): Promise<IssueResult | { kind: 'conflict' }> {
    const write = reissueWrite(code, next, rules, now);
    const { matchedCount } = await this.options.collection.updateOne(write.filter, write.update);
    if (matchedCount === 1) {
      const { entry } = code;
      const resent = reissueOf(entry);
      const { charge: _previous, ...kept } = entry;
      const renewed: CodeEntry = { ...kept, ...next, sends: entry.sends + 1 };
      return {
        kind: 'issued',
        issued: {
          code: { ...code, entry: renewed },
          before: {
            live: code.ref.codeId,
            resent,
            ...(code.nextCodeAt ? { nextCodeAt: code.nextCodeAt } : {}),
          },
          windows: write.windows,
        },
      };
    }
    const refusal = refusalOf(await this.rulesOf(code.ref), code.ref.tenantKey, rules, now);
    return refusal ? { kind: 'refused', refusal } : { kind: 'conflict' };
  }

  async withdraw(issued: Issued): Promise<void> {
    const { filter, update } = withdrawWrite(issued);
    await this.options.collection.updateOne(filter, update);
  }

  read(ref: CodeRef, now: Date): Promise<StoredCode | undefined> {
    return this.options.guard.read(ref, now);
  }

  check(ref: CodeRef, presented: string, now: Date): Promise<CheckResult> {
    return this.options.guard.check(ref, presented, now);
  }

  cancel(ref: CodeRef, now: Date): Promise<CancelResult> {
    return this.options.guard.cancel(ref, now);
  }

  private async rulesOf(ref: CodeRef): Promise<NumberDocument | null> {
    return numberDocumentOf(
      await this.options.collection.findOne(
        { _id: ref.numberKey },
        { projection: rulesProjection(ref.tenantKey) },
      ),
    );
  }

  /**
   * Removes codes past their tombstone and long-dead window counters once a document holds a few:
   * one update every several codes on a busy number, none on most. Not awaited: housekeeping.
   */
  private tidy(document: NumberDocument | null, ref: CodeRef, now: Date, keep: readonly string[]): void {
    const dead = deadFieldsOf(document, ref.tenantKey, now, keep);
    if (dead.length < TIDY_THRESHOLD) return;
    this.options.collection
      .updateOne({ _id: ref.numberKey }, { $unset: Object.fromEntries(dead.map((field) => [field, ''])) })
      .catch((error: unknown) => {
        this.options.logger.debug({ err: error }, 'could not remove dead entries of a number; later');
      });
  }
}
