import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  BadRequestError,
  RateLimitError,
} from '../errors.js';
import { isTransient, MAX_RETRY_DELAY_MS, retryDelayMs, sleep } from './retry.js';

const rateLimited = (retryAfter?: string) =>
  new RateLimitError(429, new Headers(retryAfter === undefined ? {} : { 'retry-after': retryAfter }), {
    message: 'Rate limit reached.',
  });

describe('retry policy', () => {
  it('backs off exponentially up to a ceiling, with up to a quarter of jitter', () => {
    const error = new APIError(503, new Headers(), { message: 'Service Unavailable.' });
    const noJitter = () => 0;
    const fullJitter = () => 1;
    expect([0, 1, 2, 3, 4, 5].map((retry) => retryDelayMs(retry, error, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
    expect(retryDelayMs(0, error, fullJitter)).toBe(375);
    expect(retryDelayMs(10, error, fullJitter)).toBe(MAX_RETRY_DELAY_MS * 0.75);
  });

  it('never retries sooner than Retry-After asks, and not at all when it asks for more than a minute', () => {
    expect(retryDelayMs(0, rateLimited('2'), () => 0)).toBe(2000);
    expect(retryDelayMs(3, rateLimited('1'), () => 0)).toBe(4000);
    expect(retryDelayMs(0, rateLimited('60'), () => 0)).toBe(60_000);
    expect(retryDelayMs(0, rateLimited('61'), () => 0)).toBeUndefined();
    expect(retryDelayMs(0, rateLimited(), () => 0)).toBe(500);
  });

  it('treats no answer, 429 and 5xx as transient, and nothing else', () => {
    expect(isTransient(new APIConnectionError())).toBe(true);
    expect(isTransient(rateLimited())).toBe(true);
    expect(isTransient(new APIError(500, new Headers(), { message: '' }))).toBe(true);
    expect(isTransient(new BadRequestError(400, new Headers(), { message: '' }))).toBe(false);
    expect(isTransient(new APIError(409, new Headers(), { message: '' }))).toBe(false);
    expect(isTransient(new APIUserAbortError())).toBe(false);
    expect(isTransient(new Error('bug'))).toBe(false);
  });

  it('sleeps, unless aborted', async () => {
    await expect(sleep(5, undefined)).resolves.toBeUndefined();
    await expect(sleep(10_000, AbortSignal.timeout(10))).rejects.toBeInstanceOf(APIUserAbortError);
    await expect(sleep(10_000, AbortSignal.abort())).rejects.toBeInstanceOf(APIUserAbortError);
  });
});
