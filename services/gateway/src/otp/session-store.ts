import type { CodeEntry } from '@otpflow/mongo';

/**
 * Where a code lives: its number's document, its tenant's part, its name there. Every store operation
 * addresses one document by `numberKey` (docs/data-model.md).
 */
export interface CodeRef {
  authenticationId: string;
  numberKey: string;
  tenantKey: string;
  codeId: string;
  /** The canonical number the id names (what a resend sends to). */
  e164: string;
  /** The code compares without regard to case (the id says so: a check needs no read to hash it). */
  caseless: boolean;
}

/** A code as the store's truth has it (claims included, where they are the truth). */
export interface StoredCode {
  ref: CodeRef;
  entry: CodeEntry;
  /** Its tenant's newest code: any other is superseded. */
  live: boolean;
  status: CodeEntry['status'];
  attemptsLeft: number;
  /** Its tenant's cooldown: no new code to the number before this. */
  nextCodeAt?: Date;
}

/** The caps and pauses a new code must pass; a send and a resend both count against the windows. */
export interface SendRules {
  /** This tenant's codes to the number per window (its policy's `sends`). */
  tenant: { max: number; windowSeconds: number };
  /** Every tenant's codes to the number per window (NUMBER_MAX_SENDS); absent when switched off. */
  msisdn?: { max: number; windowSeconds: number };
  /** Whether a code sent within the resend interval of the last one is refused (native, or by policy). */
  cooldown: boolean;
  /** The pause this code imposes before the next one to the number. */
  nextCodeAfterSeconds: number;
}

/** Why a new code is refused, and when it would not be. */
export type Refusal = {
  reason: 'tenant_cap' | 'msisdn_cap' | 'locked' | 'cooldown';
  retryAt: Date;
};

export type IssueResult = { kind: 'issued'; issued: Issued } | { kind: 'refused'; refusal: Refusal };

/** A code stored by `issue` or `reissue`, with what `withdraw` needs to undo it. */
export interface Issued {
  code: StoredCode;
  /**
   * What it replaced, for `withdraw`: the tenant's live code and cooldown, and for a resend the fields
   * of the previous code (never the attempts: those stay as they are).
   */
  before: { live?: string; nextCodeAt?: Date; resent?: Reissue };
  /** The window counters this code incremented. */
  windows: string[];
}

/** A resend: the new code's hash and the fields that change with it. */
export type Reissue = Pick<
  CodeEntry,
  'hash' | 'jobId' | 'channel' | 'requestedAt' | 'expiresAt' | 'purgeAt' | 'charge'
>;

/** What checking a code came to. */
export type CheckResult =
  | { kind: 'verified'; code: StoredCode }
  | { kind: 'wrong'; code: StoredCode }
  /** No attempts left: `spentNow` when this check took the last one. */
  | { kind: 'exhausted'; code: StoredCode; spentNow: boolean }
  /** Verified before, superseded, canceled or expired. */
  | { kind: 'ended'; code: StoredCode }
  | { kind: 'not_found' };

export type CancelResult =
  | { kind: 'canceled'; code: StoredCode }
  /** It had ended already: canceled (harmless), or verified, superseded (a conflict). */
  | { kind: 'ended'; code: StoredCode }
  | { kind: 'not_found' };

/**
 * A number's state (docs/data-model.md). Every method touches one number's document by its key: the
 * MongoDB implementation in one or two commands, the in-memory one for unit and component tests. The
 * attempt budget is taken atomically before any comparison counts, whatever the interleaving: no
 * concurrency buys more than `maxAttempts` comparisons, a code verifies once, and a cancel and a
 * verification never both win.
 */
export interface SessionStore {
  readonly strategy: 'conditional-update' | 'claims' | 'in-memory';
  /** Stores a new code (superseding the tenant's previous one) if the number's rules admit it. */
  issue(ref: CodeRef, entry: CodeEntry, rules: SendRules, now: Date): Promise<IssueResult>;
  /** Gives a pending verification a new code; `conflict` when it changed since it was read. */
  reissue(
    code: StoredCode,
    next: Reissue,
    rules: SendRules,
    now: Date,
  ): Promise<IssueResult | { kind: 'conflict' }>;
  /** Undoes an issue or reissue whose send job could not be published. */
  withdraw(issued: Issued): Promise<void>;
  read(ref: CodeRef, now: Date): Promise<StoredCode | undefined>;
  /** `presented`: the presented code's hash, as `CodeHasher.presented` computes it for the ref. */
  check(ref: CodeRef, presented: string, now: Date): Promise<CheckResult>;
  cancel(ref: CodeRef, now: Date): Promise<CancelResult>;
}
