import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PublishDeadlines } from './publish-deadlines.js';

const TIMEOUT_MS = 1_000;

/** Deadlines whose expiry error names the publish, and what each publish was rejected with. */
function deadlines() {
  const rejected: string[] = [];
  const tracker = new PublishDeadlines(TIMEOUT_MS, () => new Error('not confirmed'));
  const publish = (name: string) => {
    const reject = (error: Error) => rejected.push(`${name}: ${error.message}`);
    tracker.start(reject);
    return reject;
  };
  return { tracker, publish, rejected };
}

describe('PublishDeadlines', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('rejects a publish not settled within the timeout, at its deadline and not before', () => {
    const { publish, rejected } = deadlines();
    publish('a');
    vi.advanceTimersByTime(TIMEOUT_MS - 1);
    expect(rejected).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(rejected).toEqual(['a: not confirmed']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never rejects a settled publish, and does not re-arm once nothing is pending', () => {
    const { tracker, publish, rejected } = deadlines();
    tracker.settle(publish('a'));
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(rejected).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps one timer for all pending publishes, rejecting each at its own deadline', () => {
    const { publish, rejected } = deadlines();
    for (const name of ['a', 'b', 'c']) {
      publish(name);
      vi.advanceTimersByTime(100);
    }
    expect(vi.getTimerCount()).toBe(1);
    // Now 300 ms in: a expires at 1000, b at 1100, c at 1200.
    vi.advanceTimersByTime(700);
    expect(rejected).toEqual(['a: not confirmed']);
    vi.advanceTimersByTime(99);
    expect(rejected).toEqual(['a: not confirmed']);
    vi.advanceTimersByTime(1);
    expect(rejected).toEqual(['a: not confirmed', 'b: not confirmed']);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(rejected).toEqual(['a: not confirmed', 'b: not confirmed', 'c: not confirmed']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('skips what settled before the timer fired and re-arms for the oldest still pending', () => {
    const { tracker, publish, rejected } = deadlines();
    const a = publish('a');
    vi.advanceTimersByTime(400);
    publish('b');
    tracker.settle(a);
    // The timer armed for a fires at 1000 with only b pending (due at 1400).
    vi.advanceTimersByTime(600);
    expect(rejected).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(399);
    expect(rejected).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(rejected).toEqual(['b: not confirmed']);
  });

  it('rejects in one firing every publish whose deadline has passed', () => {
    const { publish, rejected } = deadlines();
    // Started in the same moment (concurrent requests): the same deadline.
    publish('a');
    publish('b');
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(rejected).toEqual(['a: not confirmed', 'b: not confirmed']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('arms the timer again for a publish that starts after it went idle', () => {
    const { tracker, publish, rejected } = deadlines();
    tracker.settle(publish('a'));
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(vi.getTimerCount()).toBe(0);
    publish('b');
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(rejected).toEqual(['b: not confirmed']);
  });

  it('disarmIfIdle drops the timer when nothing is pending, and keeps a pending deadline', () => {
    const idle = deadlines();
    idle.tracker.settle(idle.publish('a'));
    idle.tracker.disarmIfIdle();
    expect(vi.getTimerCount()).toBe(0);

    const busy = deadlines();
    busy.publish('b');
    busy.tracker.disarmIfIdle();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(TIMEOUT_MS);
    expect(busy.rejected).toEqual(['b: not confirmed']);
  });
});
