import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './oidc-key-source.js';

describe('backoffDelayMs', () => {
  const backoff = { initialMs: 1_000, maxMs: 60_000 };

  it('doubles from the initial delay up to the maximum', () => {
    const top = (failures: number) => backoffDelayMs(failures, backoff, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 30].map(top)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('keeps at least half of each step, so the jitter spreads retries without collapsing them', () => {
    expect(backoffDelayMs(1, backoff, () => 0)).toBe(500);
    expect(backoffDelayMs(3, backoff, () => 0.5)).toBe(3_000);
  });
});
