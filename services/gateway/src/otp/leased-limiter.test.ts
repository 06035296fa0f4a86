import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { LeasedLimiter, LimitReached } from './leased-limiter.js';

/** rate-limiter-flexible's in-memory counter, with a switch that makes the store unreachable. */
class SwitchableCounter extends RateLimiterMemory {
  down = false;
  consumeCalls = 0;
  readonly leases: number[] = [];

  override async consume(key: string | number, points?: number): Promise<RateLimiterRes> {
    this.consumeCalls += 1;
    this.leases.push(points ?? 1);
    // Let concurrent callers pile up behind the refill, as they do behind a real round trip.
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.down) throw new Error('store unreachable');
    return super.consume(key, points);
  }
}

describe('LeasedLimiter', () => {
  it('hands out exactly the limit of a window, one counter round trip per lease', async () => {
    // Leases of 10, 10 and the 5 left; one more round trip learns the window is spent.
    const counter = new SwitchableCounter({ points: 25, duration: 60 });
    const limiter = new LeasedLimiter(counter, 10);

    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => limiter.take('client')));

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(25);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(15);
    for (const outcome of refused) expect(outcome.reason).toBeInstanceOf(LimitReached);
    expect(counter.consumeCalls).toBe(4);
  });

  it('gives points back to the lease', async () => {
    const limiter = new LeasedLimiter(new SwitchableCounter({ points: 1, duration: 60 }), 10);
    await limiter.take('client');
    await expect(limiter.take('client')).rejects.toBeInstanceOf(LimitReached);

    limiter.give('client');

    await expect(limiter.take('client')).resolves.toBeUndefined();
  });

  it('fails every request waiting on a refill that failed, after one round trip', async () => {
    const counter = new SwitchableCounter({ points: 100, duration: 60 });
    counter.down = true;
    const limiter = new LeasedLimiter(counter, 10);

    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => limiter.take('client')));

    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(counter.consumeCalls).toBe(1);
  });

  it('refills again once the store is back', async () => {
    const counter = new SwitchableCounter({ points: 100, duration: 60 });
    counter.down = true;
    const limiter = new LeasedLimiter(counter, 10);
    await expect(limiter.take('client')).rejects.toThrow('store unreachable');

    counter.down = false;

    await expect(limiter.take('client')).resolves.toBeUndefined();
  });

  describe('with leases that grow with the rate', () => {
    /** A clock the test moves, and a limiter over a counter whose window outlasts the test. */
    function growing(points: number) {
      let now = 1_000_000;
      const counter = new SwitchableCounter({ points, duration: 3600 });
      const limiter = new LeasedLimiter(counter, { min: 10, max: 500, horizonMs: 10_000 }, () => now);
      const spend = async (requests: number, overMs: number) => {
        for (let index = 0; index < requests; index += 1) {
          await limiter.take('client');
          now += overMs / requests;
        }
      };
      return { counter, limiter, spend };
    }

    it('takes the least lease first, then what the key spends over the horizon at its rate', async () => {
      const { counter, spend } = growing(100_000);
      // 10 requests over 2 s: 5 a second, so the next lease is 10 s of them.
      await spend(10, 2000);
      await spend(50, 10_000);
      expect(counter.leases).toEqual([10, 50]);
    });

    it('never leases more than its most, however fast the key spends', async () => {
      const { counter, spend } = growing(100_000);
      await spend(10, 10);
      await spend(500, 10);
      await spend(1, 10);
      expect(counter.leases).toEqual([10, 500, 500]);
    });

    it('shrinks back to the least lease once the key slows down', async () => {
      const { counter, spend } = growing(100_000);
      await spend(10, 200);
      // The lease of 500 spent over ten minutes: under 10 for the horizon, so the least lease again.
      await spend(500, 600_000);
      await spend(1, 0);
      expect(counter.leases).toEqual([10, 500, 10]);
    });

    it('still admits exactly the limit of a window', async () => {
      const { counter, limiter, spend } = growing(700);
      await spend(10, 10);
      const outcomes = await Promise.allSettled(Array.from({ length: 800 }, () => limiter.take('client')));
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(690);
      expect(counter.leases[1]).toBe(500);
    });
  });
});
