import { describe, expect, it } from 'vitest';
import { RandomBytesPool } from './random-pool.js';

describe('RandomBytesPool', () => {
  it('hands out each byte once, across refills', () => {
    const pool = new RandomBytesPool(64);
    const seen = new Set<string>();
    // 600 draws of 12 bytes refill a 64-byte pool over a hundred times.
    for (let index = 0; index < 600; index += 1) seen.add(pool.take(12).toString('hex'));
    expect(seen.size).toBe(600);
  });

  it('keeps what it handed out when it refills', () => {
    const pool = new RandomBytesPool(16);
    const first = pool.take(12);
    const copy = Buffer.from(first);
    pool.take(12);
    expect(first.equals(copy)).toBe(true);
  });

  it('writes into a block at an offset without touching the rest', () => {
    const pool = new RandomBytesPool(32);
    const block = Buffer.alloc(16, 0xee);
    pool.fill(block, 9, 7);
    expect(block.subarray(0, 9).every((byte) => byte === 0xee)).toBe(true);
  });

  it('refuses a request longer than the pool', () => {
    expect(() => new RandomBytesPool(8).take(9)).toThrow(RangeError);
  });
});
