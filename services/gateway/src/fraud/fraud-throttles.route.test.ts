import type { BudgetStanding } from '@otpflow/fraud';
import { describe, expect, it } from 'vitest';
import { throttleList, throttleListSchema, throttleQuerySchema } from './fraud-throttles.route.js';

const standing = (scope: string, target: string): BudgetStanding => ({
  signal: scope === '*' ? 'unproven_network' : 'country_velocity',
  reason: scope === '*' ? 'unproven_conversion' : 'country_velocity',
  scope,
  target,
  budget: 5,
  used: 5,
  state: 'throttled',
  shared: { sent: 4, verified: 0 },
  unsynced: { sent: 1, verified: 0 },
});
const report = {
  now: Date.parse('2026-12-01T10:02:30.500Z'),
  throttledUntil: Date.parse('2026-12-01T10:05:00Z'),
  budgets: [standing('*', '203.0.113.0/24'), standing('tenant-a', '+49'), standing('tenant-b', '+33')],
};

describe('throttleList', () => {
  it('answers the times as ISO strings and the Retry-After a throttled send gets, as documented', () => {
    const list = throttleList(report, undefined);
    expect(list).toMatchObject({
      at: '2026-12-01T10:02:30.500Z',
      throttledUntil: '2026-12-01T10:05:00.000Z',
      retryAfterSeconds: 150,
    });
    expect(list.throttles.map((throttle) => throttle.target)).toEqual(['203.0.113.0/24', '+49', '+33']);
    expect(throttleListSchema.parse(list)).toEqual(list);
  });

  it('keeps only the scope asked for: a client, or the networks of every client', () => {
    expect(throttleList(report, 'tenant-b').throttles.map((throttle) => throttle.target)).toEqual(['+33']);
    expect(throttleList(report, '*').throttles.map((throttle) => throttle.scope)).toEqual(['*']);
  });
});

describe('throttleQuerySchema', () => {
  it('takes a client id or *, and refuses a repeated or unknown parameter', () => {
    expect(throttleQuerySchema.parse({})).toEqual({});
    expect(throttleQuerySchema.parse({ scope: '*' })).toEqual({ scope: '*' });
    expect(throttleQuerySchema.safeParse({ scope: ['a', 'b'] }).success).toBe(false);
    expect(throttleQuerySchema.safeParse({ clientId: 'a' }).success).toBe(false);
    expect(throttleQuerySchema.safeParse({ scope: 'not a client id!' }).success).toBe(false);
  });
});
