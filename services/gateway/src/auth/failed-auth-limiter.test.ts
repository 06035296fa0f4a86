import { ApiError } from '@otpflow/errors';
import { describe, expect, it } from 'vitest';
import { FailedAuthLimiter } from './failed-auth-limiter.js';

const refusal = (limiter: FailedAuthLimiter, source: string) => {
  try {
    limiter.check(source);
    return undefined;
  } catch (error) {
    return error as ApiError;
  }
};

describe('FailedAuthLimiter', () => {
  it('refuses a source past its limit until its window ends, with the seconds left', () => {
    let now = 1_000_000;
    const limiter = new FailedAuthLimiter({ limit: 3, windowSeconds: 60 }, () => now);
    for (let index = 0; index < 3; index += 1) {
      expect(refusal(limiter, 'a')).toBeUndefined();
      limiter.record('a');
    }
    now += 15_500;
    expect(refusal(limiter, 'a')).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: 45 });
    expect(refusal(limiter, 'b')).toBeUndefined();
    now += 44_500;
    expect(refusal(limiter, 'a')).toBeUndefined();
  });

  it('forgets the least recently failed sources beyond maxSources', () => {
    const limiter = new FailedAuthLimiter({ limit: 1, windowSeconds: 60, maxSources: 2 });
    for (const source of ['a', 'b', 'c']) limiter.record(source);
    expect(refusal(limiter, 'a')).toBeUndefined();
    expect(refusal(limiter, 'c')).toBeInstanceOf(ApiError);
  });
});
