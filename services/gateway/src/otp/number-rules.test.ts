import type { CodeEntry, NumberDocument } from '@otpflow/mongo';
import { describe, expect, it } from 'vitest';
import { deadFieldsOf, refusalOf, windowOf } from './number-rules.js';
import type { SendRules } from './session-store.js';

const RULES: SendRules = {
  tenant: { max: 2, windowSeconds: 900 },
  msisdn: { max: 3, windowSeconds: 900 },
  cooldown: true,
  nextCodeAfterSeconds: 30,
};
const now = new Date('2026-12-01T10:07:00Z');
const window = windowOf(now, 900);

describe('windowOf', () => {
  it('aligns windows on multiples of their length', () => {
    expect(window.end.toISOString()).toBe('2026-12-01T10:15:00.000Z');
    expect(window.key).toBe(`w${Date.parse('2026-12-01T10:00:00Z') / 1000}`);
    expect(window.previousKey).toBe(`w${Date.parse('2026-12-01T09:45:00Z') / 1000}`);
  });
});

describe('refusalOf', () => {
  it('admits a number with no document, and one under every rule', () => {
    expect(refusalOf(null, 't', RULES, now)).toBeUndefined();
    expect(
      refusalOf(
        { sends: { [window.key]: 2 }, tenants: { t: { sends: { [window.key]: 1 } } } },
        't',
        RULES,
        now,
      ),
    ).toBeUndefined();
  });

  it('names the first rule that refuses, and the latest time any of them would still refuse', () => {
    const lockedUntil = new Date(now.getTime() + 600_000);
    const document: Pick<NumberDocument, 'sends' | 'tenants'> = {
      sends: { [window.key]: 3 },
      tenants: {
        t: { lockedUntil, nextCodeAt: new Date(now.getTime() + 10_000), sends: { [window.key]: 2 } },
      },
    };
    expect(refusalOf(document, 't', RULES, now)).toEqual({ reason: 'locked', retryAt: lockedUntil });
    const unlocked = { ...document, tenants: { t: { ...document.tenants?.t, lockedUntil: now } } };
    expect(refusalOf(unlocked, 't', RULES, now)).toEqual({ reason: 'msisdn_cap', retryAt: window.end });
    expect(
      refusalOf({ tenants: { t: { nextCodeAt: new Date(now.getTime() + 10_000) } } }, 't', RULES, now),
    ).toMatchObject({
      reason: 'cooldown',
    });
    expect(
      refusalOf(
        { tenants: { t: { nextCodeAt: new Date(now.getTime() + 10_000) } } },
        't',
        { ...RULES, cooldown: false },
        now,
      ),
    ).toBeUndefined();
  });
});

describe('deadFieldsOf', () => {
  const entry = (minutesAgo: number, purgeInMinutes: number) =>
    ({
      createdAt: new Date(now.getTime() - minutesAgo * 60_000),
      purgeAt: new Date(now.getTime() + purgeInMinutes * 60_000),
    }) as CodeEntry;

  it('finds codes past their tombstone (every other one still answers), never the live one', () => {
    const codes: Record<string, CodeEntry> = { gone: entry(3000, -1), live: entry(5000, -10) };
    for (let index = 0; index < 40; index += 1) codes[`c${index}`] = entry(index, 60);
    const dead = deadFieldsOf({ tenants: { t: { live: 'live', codes } } }, 't', now, []);
    expect(dead).toEqual(['tenants.t.codes.gone']);
  });
});
