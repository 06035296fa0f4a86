import { describe, expect, it } from 'vitest';
import { backoffDelay, decideRetry, giveBackDelayMs, type RetryContext } from './retry-policy.js';

const now = new Date('2026-01-01T00:00:00Z');
const base: RetryContext = {
  retryable: true,
  attempt: 1,
  maxAttempts: 5,
  expiresAt: new Date(now.getTime() + 300_000),
  now,
  tiersMs: [1_000, 5_000, 15_000, 60_000],
  random: () => 0.5,
};

describe('decideRetry', () => {
  it('retries transient failures through the tier of the attempt, with jitter inside the tier', () => {
    expect(decideRetry(base)).toEqual({ action: 'retry', tierMs: 1_000, delayMs: 750 });
    expect(decideRetry({ ...base, attempt: 2 })).toMatchObject({ tierMs: 5_000 });
    expect(decideRetry({ ...base, attempt: 4, random: () => 1 })).toEqual({
      action: 'retry',
      tierMs: 60_000,
      delayMs: 60_000,
    });
  });

  it('keeps using the last tier when attempts outnumber tiers', () => {
    expect(decideRetry({ ...base, attempt: 6, maxAttempts: 10 })).toMatchObject({ tierMs: 60_000 });
  });

  it('never retries a permanent failure', () => {
    expect(decideRetry({ ...base, retryable: false })).toEqual({
      action: 'dead-letter',
      reason: 'permanent_failure',
    });
  });

  it('stops at the attempt limit', () => {
    expect(decideRetry({ ...base, attempt: 5 })).toEqual({
      action: 'dead-letter',
      reason: 'attempts_exhausted',
    });
  });

  it('stops when the next attempt would come after the code expired', () => {
    const expiresAt = new Date(now.getTime() + 700);
    expect(decideRetry({ ...base, expiresAt })).toEqual({
      action: 'dead-letter',
      reason: 'expires_before_retry',
    });
  });
});

describe('backoffDelay', () => {
  it('spreads between half the tier and the whole tier', () => {
    expect(backoffDelay(10_000, () => 0)).toBe(5_000);
    expect(backoffDelay(10_000, () => 1)).toBe(10_000);
  });
});

describe('giveBackDelayMs', () => {
  it('doubles from 250 ms to 5 s with the job’s deliveries, half of it random', () => {
    expect([0, 1, 2, 3, 4, 5, 19].map((deliveries) => giveBackDelayMs(deliveries, () => 1))).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000,
    ]);
    expect(giveBackDelayMs(0, () => 0)).toBe(125);
  });

  it('lets the 20 deliveries of the work queue’s limit last well over a minute of broker trouble', () => {
    const total = Array.from({ length: 20 }, (_, deliveries) => giveBackDelayMs(deliveries, () => 0)).reduce(
      (sum, ms) => sum + ms,
      0,
    );
    expect(total).toBeGreaterThan(40_000);
  });
});
