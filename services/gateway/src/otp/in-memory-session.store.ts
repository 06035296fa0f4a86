import type { CodeEntry, NumberDocument, TenantPart } from '@otpflow/mongo';
import { reissueOf } from './code-entries.js';
import { matchesHash } from './code.js';
import { refusalOf, standingOf, storedCodeOf, windowOf } from './number-rules.js';
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
} from './session-store.js';

/**
 * The number-state store in memory, for unit and component tests: the same documents and the same
 * rules (number-rules.ts) as the MongoDB store, each operation applied whole (a JavaScript turn is
 * atomic). `lockoutSeconds` as the gateway's LOCKOUT_SECONDS.
 */
export class InMemorySessionStore implements SessionStore {
  readonly strategy = 'in-memory';
  private readonly documents = new Map<string, NumberDocument>();

  constructor(private readonly lockoutSeconds = 0) {}

  /** A copy of a number's document, for tests. */
  document(numberKey: string): NumberDocument | undefined {
    const document = this.documents.get(numberKey);
    return document ? structuredClone(document) : undefined;
  }

  issue(ref: CodeRef, entry: CodeEntry, rules: SendRules, now: Date): Promise<IssueResult> {
    const document = this.documents.get(ref.numberKey) ?? { _id: ref.numberKey, purgeAt: now };
    const refusal = refusalOf(document, ref.tenantKey, rules, now);
    if (refusal) return Promise.resolve({ kind: 'refused', refusal });
    const tenant = tenantOf(document, ref.tenantKey);
    const before = {
      ...(tenant.live ? { live: tenant.live } : {}),
      ...(tenant.nextCodeAt ? { nextCodeAt: tenant.nextCodeAt } : {}),
    };
    const windows = count(document, ref.tenantKey, rules, now, 1);
    tenant.live = ref.codeId;
    tenant.nextCodeAt = new Date(now.getTime() + rules.nextCodeAfterSeconds * 1000);
    tenant.codes = { ...tenant.codes, [ref.codeId]: structuredClone(entry) };
    extendPurge(document, entry.purgeAt);
    this.documents.set(ref.numberKey, document);
    const code: StoredCode = { ref, entry, live: true, status: 'pending', attemptsLeft: entry.attemptsLeft };
    return Promise.resolve({ kind: 'issued', issued: { code, before, windows } });
  }

  reissue(
    code: StoredCode,
    next: Reissue,
    rules: SendRules,
    now: Date,
  ): Promise<IssueResult | { kind: 'conflict' }> {
    const document = this.documents.get(code.ref.numberKey);
    const current = document ? storedCodeOf(document, code.ref) : undefined;
    if (
      !document ||
      !current?.live ||
      current.status !== 'pending' ||
      current.entry.jobId !== code.entry.jobId
    ) {
      const refusal = document ? refusalOf(document, code.ref.tenantKey, rules, now) : undefined;
      return Promise.resolve(refusal ? { kind: 'refused', refusal } : { kind: 'conflict' });
    }
    const refusal = refusalOf(document, code.ref.tenantKey, rules, now);
    if (refusal) return Promise.resolve({ kind: 'refused', refusal });
    const tenant = tenantOf(document, code.ref.tenantKey);
    const windows = count(document, code.ref.tenantKey, rules, now, 1);
    const previous = current.entry;
    const { charge: _charge, ...kept } = previous;
    const renewed: CodeEntry = { ...kept, ...structuredClone(next), sends: previous.sends + 1 };
    const before: Issued['before'] = {
      live: code.ref.codeId,
      ...(tenant.nextCodeAt ? { nextCodeAt: tenant.nextCodeAt } : {}),
      resent: reissueOf(previous),
    };
    tenant.codes = { ...tenant.codes, [code.ref.codeId]: renewed };
    tenant.nextCodeAt = new Date(now.getTime() + rules.nextCodeAfterSeconds * 1000);
    extendPurge(document, next.purgeAt);
    return Promise.resolve({
      kind: 'issued',
      issued: { code: { ...current, entry: structuredClone(renewed) }, before, windows },
    });
  }

  withdraw(issued: Issued): Promise<void> {
    const { ref, entry } = issued.code;
    const document = this.documents.get(ref.numberKey);
    const tenant = document?.tenants?.[ref.tenantKey];
    const current = tenant?.codes?.[ref.codeId];
    if (!document || !tenant || current?.jobId !== entry.jobId) return Promise.resolve();
    for (const field of issued.windows) decrement(document, field);
    const { before } = issued;
    if (before.resent) {
      const { charge: _charge, ...kept } = current;
      tenant.codes = {
        ...tenant.codes,
        [ref.codeId]: { ...kept, ...before.resent, sends: current.sends - 1 },
      };
    } else {
      const { [ref.codeId]: _removed, ...others } = tenant.codes ?? {};
      tenant.codes = others;
      if (before.live) tenant.live = before.live;
      else delete tenant.live;
    }
    if (before.nextCodeAt) tenant.nextCodeAt = before.nextCodeAt;
    else delete tenant.nextCodeAt;
    return Promise.resolve();
  }

  read(ref: CodeRef): Promise<StoredCode | undefined> {
    const code = storedCodeOf(this.documents.get(ref.numberKey) ?? null, ref);
    return Promise.resolve(code ? structuredClone(code) : undefined);
  }

  check(ref: CodeRef, presented: string, now: Date): Promise<CheckResult> {
    const document = this.documents.get(ref.numberKey);
    const code = storedCodeOf(document ?? null, ref);
    if (!document || !code) return Promise.resolve({ kind: 'not_found' });
    const standing = standingOf(code, now);
    if (standing === 'gone') return Promise.resolve({ kind: 'not_found' });
    if (standing === 'ended') return Promise.resolve({ kind: 'ended', code: structuredClone(code) });
    if (standing === 'exhausted')
      return Promise.resolve({ kind: 'exhausted', code: structuredClone(code), spentNow: false });
    const entry = code.entry;
    entry.attemptsLeft -= 1;
    if (matchesHash(presented, entry.hash)) {
      entry.status = 'verified';
      entry.endedAt = now;
      return Promise.resolve({
        kind: 'verified',
        code: structuredClone(storedCodeOf(document, ref) ?? code),
      });
    }
    const after = structuredClone(storedCodeOf(document, ref) ?? code);
    if (entry.attemptsLeft > 0) return Promise.resolve({ kind: 'wrong', code: after });
    if (this.lockoutSeconds > 0) {
      const tenant = tenantOf(document, ref.tenantKey);
      const until = new Date(now.getTime() + this.lockoutSeconds * 1000);
      if (!tenant.lockedUntil || tenant.lockedUntil < until) tenant.lockedUntil = until;
      extendPurge(document, until);
    }
    return Promise.resolve({ kind: 'exhausted', code: after, spentNow: true });
  }

  cancel(ref: CodeRef, now: Date): Promise<CancelResult> {
    const document = this.documents.get(ref.numberKey);
    const code = storedCodeOf(document ?? null, ref);
    if (!document || !code || standingOf(code, now) === 'gone') return Promise.resolve({ kind: 'not_found' });
    if (code.status !== 'pending' || !code.live)
      return Promise.resolve({ kind: 'ended', code: structuredClone(code) });
    code.entry.status = 'canceled';
    code.entry.endedAt = now;
    return Promise.resolve({ kind: 'canceled', code: structuredClone(storedCodeOf(document, ref) ?? code) });
  }
}

function tenantOf(document: NumberDocument, tenantKey: string): TenantPart {
  document.tenants ??= {};
  return (document.tenants[tenantKey] ??= {});
}

/** Adds `by` to the code's windows (tenant's, and the number's when capped); returns their field names. */
function count(
  document: NumberDocument,
  tenantKey: string,
  rules: SendRules,
  now: Date,
  by: number,
): string[] {
  const tenant = tenantOf(document, tenantKey);
  const tenantWindow = windowOf(now, rules.tenant.windowSeconds);
  tenant.sends = { ...tenant.sends, [tenantWindow.key]: (tenant.sends?.[tenantWindow.key] ?? 0) + by };
  extendPurge(document, tenantWindow.end);
  const fields = [`tenants.${tenantKey}.sends.${tenantWindow.key}`];
  if (rules.msisdn) {
    const window = windowOf(now, rules.msisdn.windowSeconds);
    document.sends = { ...document.sends, [window.key]: (document.sends?.[window.key] ?? 0) + by };
    extendPurge(document, window.end);
    fields.push(`sends.${window.key}`);
  }
  return fields;
}

/** Gives back one count of a window named by its field path (`sends.w…` or `tenants.<t>.sends.w…`). */
function decrement(document: NumberDocument, field: string): void {
  const parts = field.split('.');
  const key = parts.at(-1) ?? '';
  const windows = parts[0] === 'sends' ? document.sends : document.tenants?.[parts[1] ?? '']?.sends;
  if (windows?.[key] !== undefined) windows[key] -= 1;
}

function extendPurge(document: NumberDocument, until: Date): void {
  if (document.purgeAt < until) document.purgeAt = until;
}
