import type { NumbersCollectionDocument, StoreCapabilities } from '@otpflow/mongo';
import type { Collection } from 'mongodb';
import type { CancelResult, CheckResult, CodeRef, StoredCode } from '../session-store.js';
import { exhaustedWrite } from './number-writes.js';

/**
 * How a number's codes take attempts and end, chosen by what the store can do: one port, two
 * strategies. `conditional-update` (MongoDB) lets one atomic conditional update decide each check;
 * `claims` (FerretDB v1, whose updates are not isolated) decides by inserting unique claim documents.
 * Both run one concurrency test (services/gateway/test/attempt-budget.int.test.ts).
 */
export interface AttemptGuard {
  readonly strategy: 'conditional-update' | 'claims';
  /** The code as the strategy's truth has it. */
  read(ref: CodeRef, now: Date): Promise<StoredCode | undefined>;
  /** `presented`: the presented code's hash. */
  check(ref: CodeRef, presented: string, now: Date): Promise<CheckResult>;
  cancel(ref: CodeRef, now: Date): Promise<CancelResult>;
}

/** What both strategies work with. */
export interface GuardContext {
  collection: Collection<NumbersCollectionDocument>;
  capabilities: Pick<StoreCapabilities, 'findAndModifyProjection'>;
  /** How long a number stays locked for a tenant after VERIFICATION_FAILED; 0: never. */
  lockoutSeconds: number;
}

/** After the check that spent a code's last attempt: the lockout, and the entry's attempts at 0. */
export async function lockOut(context: GuardContext, ref: CodeRef, now: Date): Promise<void> {
  const until =
    context.lockoutSeconds > 0 ? new Date(now.getTime() + context.lockoutSeconds * 1000) : undefined;
  const { filter, update } = exhaustedWrite(ref, until);
  await context.collection.updateOne(filter, update);
}
