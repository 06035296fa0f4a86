import type { CodeEntry } from '@otpflow/mongo';
import { describe, expect, it } from 'vitest';
import type { CodeRef, SendRules } from '../session-store.js';
import { issueWrite } from './number-writes.js';

const NOW = new Date('2026-12-01T18:00:30.000Z');
const HOUR_START = Date.parse('2026-12-01T18:00:00.000Z') / 1000;
const DAY_START = Date.parse('2026-12-01T00:00:00.000Z') / 1000;
const ref: CodeRef = {
  authenticationId: 'id',
  codeId: 'c01',
  e164: '+34612345678',
  caseless: false,
  numberKey: 'N',
  tenantKey: 'T',
};
const entry = { purgeAt: new Date(NOW.getTime() + 900_000) } as CodeEntry;
const rules: SendRules = {
  tenant: { max: 5, windowSeconds: 3600 },
  msisdn: { max: 10, windowSeconds: 86_400 },
  cooldown: true,
  nextCodeAfterSeconds: 30,
};
const absentOr = (field: string, condition: Record<string, unknown>) => ({
  $or: [{ [field]: { $exists: false } }, { [field]: condition }],
});

describe('issueWrite', () => {
  it('admits a code under every rule and counts it in the window of each, removing the previous ones', () => {
    const write = issueWrite(ref, entry, rules, NOW);
    expect(write.filter).toEqual({
      _id: 'N',
      $and: [
        absentOr('tenants.T.lockedUntil', { $lte: NOW }),
        absentOr(`sends.w${DAY_START}`, { $lt: 10 }),
        absentOr(`tenants.T.sends.w${HOUR_START}`, { $lt: 5 }),
        absentOr('tenants.T.nextCodeAt', { $lte: NOW }),
      ],
    });
    expect(write.update).toEqual({
      $inc: { [`tenants.T.sends.w${HOUR_START}`]: 1, [`sends.w${DAY_START}`]: 1 },
      $set: {
        'tenants.T.live': 'c01',
        'tenants.T.nextCodeAt': new Date(NOW.getTime() + 30_000),
        'tenants.T.codes.c01': entry,
      },
      // The number's day window ends after the entry's purge: the document lives until then.
      $max: { purgeAt: new Date((DAY_START + 86_400) * 1000) },
      $unset: { [`tenants.T.sends.w${HOUR_START - 3600}`]: '', [`sends.w${DAY_START - 86_400}`]: '' },
    });
    expect([...write.windows].sort()).toEqual([`sends.w${DAY_START}`, `tenants.T.sends.w${HOUR_START}`]);
  });

  it('without a cap per number or a cooldown: only the tenant window, kept until the later end', () => {
    const late = { purgeAt: new Date(NOW.getTime() + 7_200_000) } as CodeEntry;
    const { msisdn: _none, ...tenantOnly } = rules;
    const write = issueWrite(ref, late, { ...tenantOnly, cooldown: false }, NOW);
    expect(write.filter).toEqual({
      _id: 'N',
      $and: [
        absentOr('tenants.T.lockedUntil', { $lte: NOW }),
        absentOr(`tenants.T.sends.w${HOUR_START}`, { $lt: 5 }),
      ],
    });
    expect(write.update.$inc).toEqual({ [`tenants.T.sends.w${HOUR_START}`]: 1 });
    expect(write.update.$unset).toEqual({ [`tenants.T.sends.w${HOUR_START - 3600}`]: '' });
    expect(write.update.$max).toEqual({ purgeAt: late.purgeAt });
    expect(write.windows).toEqual([`tenants.T.sends.w${HOUR_START}`]);
  });
});
