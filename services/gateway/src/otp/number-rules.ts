import type { NumberDocument, SendWindows, TenantPart } from '@otpflow/mongo';
import type { CodeRef, Refusal, SendRules, StoredCode } from './session-store.js';

/**
 * The rules of a number's document, as pure functions: what the MongoDB store's filters say in a
 * query, and what the in-memory store and the explanation of a refused write compute (one definition,
 * so the two can never disagree).
 */

/** The aligned window of `windowSeconds` that `now` falls in: its counter's field name and its end. */
export function windowOf(now: Date, windowSeconds: number): { key: string; previousKey: string; end: Date } {
  const start = Math.floor(now.getTime() / 1000 / windowSeconds) * windowSeconds;
  return {
    key: `w${start}`,
    previousKey: `w${start - windowSeconds}`,
    end: new Date((start + windowSeconds) * 1000),
  };
}

function countIn(windows: SendWindows | undefined, key: string): number {
  return windows?.[key] ?? 0;
}

/**
 * Why the number's document refuses a new code for the tenant, if it does. When several rules refuse,
 * the reason is the first of lockout, cap per MSISDN, the tenant's cap, cooldown, and the retry time
 * the latest of theirs, so a retry after it is not refused again by another.
 */
export function refusalOf(
  document: Pick<NumberDocument, 'sends' | 'tenants'> | null,
  tenantKey: string,
  rules: SendRules,
  now: Date,
): Refusal | undefined {
  const tenant: TenantPart = document?.tenants?.[tenantKey] ?? {};
  const refusals: Refusal[] = [];
  if (tenant.lockedUntil && tenant.lockedUntil > now) {
    refusals.push({ reason: 'locked', retryAt: tenant.lockedUntil });
  }
  if (rules.msisdn) {
    const window = windowOf(now, rules.msisdn.windowSeconds);
    if (countIn(document?.sends, window.key) >= rules.msisdn.max) {
      refusals.push({ reason: 'msisdn_cap', retryAt: window.end });
    }
  }
  const window = windowOf(now, rules.tenant.windowSeconds);
  if (countIn(tenant.sends, window.key) >= rules.tenant.max) {
    refusals.push({ reason: 'tenant_cap', retryAt: window.end });
  }
  if (rules.cooldown && tenant.nextCodeAt && tenant.nextCodeAt > now) {
    refusals.push({ reason: 'cooldown', retryAt: tenant.nextCodeAt });
  }
  const [first] = refusals;
  if (!first) return undefined;
  const latest = Math.max(...refusals.map((refusal) => refusal.retryAt.getTime()));
  return { reason: first.reason, retryAt: new Date(latest) };
}

/** The code a ref names, as its entry records it (the truth where updates are atomic). */
export function storedCodeOf(
  document: Pick<NumberDocument, 'tenants'> | null,
  ref: CodeRef,
): StoredCode | undefined {
  const tenant = document?.tenants?.[ref.tenantKey];
  const entry = tenant?.codes?.[ref.codeId];
  if (!tenant || !entry) return undefined;
  return {
    ref,
    entry,
    live: tenant.live === ref.codeId,
    status: entry.status,
    attemptsLeft: entry.attemptsLeft,
    ...(tenant.nextCodeAt ? { nextCodeAt: tenant.nextCodeAt } : {}),
  };
}

/**
 * Whether a code may take a comparison now: `gone` past its tombstone (it answers NOT_FOUND), `ended`
 * once verified, canceled, superseded or expired, `exhausted` with no attempts left.
 */
export function standingOf(code: StoredCode, now: Date): 'takeable' | 'gone' | 'ended' | 'exhausted' {
  if (code.entry.purgeAt <= now) return 'gone';
  if (code.status !== 'pending' || !code.live || code.entry.expiresAt <= now) return 'ended';
  if (code.attemptsLeft <= 0) return 'exhausted';
  return 'takeable';
}

/** Dead fields of a tenant's part and of the number's windows: what housekeeping removes. */
export function deadFieldsOf(
  document: Pick<NumberDocument, 'sends' | 'tenants'> | null,
  tenantKey: string,
  now: Date,
  keep: readonly string[],
): string[] {
  const tenant = document?.tenants?.[tenantKey];
  const dead: string[] = [];
  // Every ended code answers VERIFICATION_EXPIRED until its tombstone passes: only then is it dead.
  for (const [codeId, entry] of Object.entries(tenant?.codes ?? {}))
    if (entry.purgeAt <= now && codeId !== tenant?.live) dead.push(`tenants.${tenantKey}.codes.${codeId}`);
  // A window counter is dead once no window that could still be current names it (kept: this send's).
  const nowSeconds = now.getTime() / 1000;
  const staleWindows = (windows: SendWindows | undefined, prefix: string) => {
    for (const key of Object.keys(windows ?? {})) {
      const field = `${prefix}.${key}`;
      if (!keep.includes(field) && Number(key.slice(1)) < nowSeconds - 7 * 86_400) dead.push(field);
    }
  };
  staleWindows(document?.sends, 'sends');
  staleWindows(tenant?.sends, `tenants.${tenantKey}.sends`);
  return dead;
}
