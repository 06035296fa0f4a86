import { describe, expect, it } from 'vitest';
import { SlidingCounts } from './sliding-counts.js';

describe('SlidingCounts', () => {
  const window = () => new SlidingCounts(60_000, 6); // buckets of 10 s

  it('adds what was counted here to the shared figures, and forgets what left the window', () => {
    const counts = window();
    counts.add('k', 'sent', 5_000);
    counts.add('k', 'sent', 15_000);
    counts.add('k', 'verified', 15_000);
    expect(counts.total('k', 15_000)).toEqual({ sent: 2, verified: 1, matureSent: 1, matureVerified: 0 });
    // 65 s: the bucket at 0 has left the window (it starts at 10 s).
    expect(counts.total('k', 65_000)).toEqual({ sent: 1, verified: 1, matureSent: 1, matureVerified: 1 });
  });

  it('counts a late verification with the sends of its code, and judges only sends past the grace', () => {
    const counts = new SlidingCounts(60_000, 6, 5_000);
    counts.add('k', 'sent', 12_000);
    counts.add('k', 'sent', 21_000);
    // The code sent at 12 s is entered at 23 s: the caller counts it at its send's time.
    counts.add('k', 'verified', 12_000);
    // 23 s: the bucket of 10 s ended 3 s ago, within the grace: not judged yet.
    expect(counts.total('k', 23_000)).toEqual({ sent: 2, verified: 1, matureSent: 0, matureVerified: 0 });
    expect(counts.total('k', 25_000)).toEqual({ sent: 2, verified: 1, matureSent: 1, matureVerified: 1 });
    expect(counts.total('k', 35_000)).toEqual({ sent: 2, verified: 1, matureSent: 2, matureVerified: 1 });
  });

  it('keeps counting a flush in flight, and replaces it by the shared figures once read', () => {
    const counts = window();
    counts.add('k', 'sent', 1_000);
    const flushed = counts.takePending();
    expect(flushed).toEqual([{ key: 'k', bucket: 0, sent: 1, verified: 0 }]);
    counts.add('k', 'sent', 2_000);
    expect(counts.total('k', 2_000).sent).toBe(2);
    // Another replica had counted 4 more in the same bucket.
    counts.settle(counts.touchedKeys(2_000), [{ key: 'k', bucket: 0, sent: 5, verified: 0 }], 2_000);
    expect(counts.total('k', 2_000).sent).toBe(6);
  });

  it('reads again the keys looked at lately, counted here or not', () => {
    const counts = window();
    counts.total('looked-at', 1_000);
    counts.add('counted', 'sent', 1_000);
    counts.takePending();
    expect(counts.touchedKeys(5_000).sort()).toEqual(['counted', 'looked-at']);
    counts.settle([], [], 5_000);
    // More than a bucket later, a key nobody looked at again is left alone.
    expect(counts.touchedKeys(12_000)).toEqual([]);
  });

  it('tells the shared figures and its own apart, without making the key one to read again', () => {
    const counts = window();
    counts.add('k', 'sent', 1_000);
    counts.takePending();
    counts.settle(['k'], [{ key: 'k', bucket: 0, sent: 3, verified: 1 }], 2_000);
    counts.add('k', 'sent', 3_000);
    expect(counts.figures('k', 3_000)).toEqual({
      shared: { sent: 3, verified: 1, matureSent: 0, matureVerified: 0 },
      unsynced: { sent: 1, verified: 0, matureSent: 0, matureVerified: 0 },
    });
    counts.figures('unwatched', 3_000);
    expect(counts.touchedKeys(3_000)).not.toContain('unwatched');
  });

  it('puts a failed flush back into the next one', () => {
    const counts = window();
    counts.add('k', 'sent', 1_000);
    counts.takePending();
    counts.restore();
    expect(counts.total('k', 1_000).sent).toBe(1);
    expect(counts.takePending()).toEqual([{ key: 'k', bucket: 0, sent: 1, verified: 0 }]);
  });
});
