import { describe, expect, it } from 'vitest';
import { nodeOrder, reconnectDelayMs } from './reconnect.js';

const backoff = { initialMs: 200, maxMs: 5_000 };

describe('reconnectDelayMs', () => {
  it('doubles from the initial delay up to the cap, half of it random', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((round) => reconnectDelayMs(round, backoff, () => 0))).toEqual([
      100, 200, 400, 800, 1600, 2500, 2500,
    ]);
    expect([1, 2, 6, 50].map((round) => reconnectDelayMs(round, backoff, () => 1))).toEqual([
      200, 400, 5000, 5000,
    ]);
  });
});

describe('nodeOrder', () => {
  it('tries every node once, from the given one, wrapping around', () => {
    expect(nodeOrder(3, 0)).toEqual([0, 1, 2]);
    expect(nodeOrder(3, 2)).toEqual([2, 0, 1]);
    expect(nodeOrder(1, 0)).toEqual([0]);
  });
});
