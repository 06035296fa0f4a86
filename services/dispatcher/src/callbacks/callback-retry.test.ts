import { describe, expect, it } from 'vitest';
import { classifyStatus, decideCallback } from './callback-retry.js';

const context = { attempt: 1, maxAttempts: 3, tiersMs: [1_000, 10_000], random: () => 0.5 };

describe('classifyStatus', () => {
  it.each([200, 202, 204])('%i is delivered', (status) => {
    expect(classifyStatus(status)).toEqual({ kind: 'delivered', status });
  });
  it.each([500, 502, 503, 408, 409, 425, 429])('%i is retried', (status) => {
    expect(classifyStatus(status).kind).toBe('retryable');
  });
  it.each([301, 400, 401, 403, 404, 410, 413])('%i is refused for good', (status) => {
    expect(classifyStatus(status)).toEqual({ kind: 'permanent', status, error: `http_${status}` });
  });
});

describe('decideCallback', () => {
  it('acks a delivered callback', () => {
    expect(decideCallback({ kind: 'delivered', status: 200 }, context)).toEqual({ action: 'ack' });
  });

  it('retries a transient failure through the tier of the attempt, with jitter', () => {
    const timeout = { kind: 'retryable', error: 'timeout' } as const;
    expect(decideCallback(timeout, context)).toEqual({ action: 'retry', tierMs: 1_000, delayMs: 750 });
    expect(decideCallback(timeout, { ...context, attempt: 2, random: () => 1 })).toEqual({
      action: 'retry',
      tierMs: 10_000,
      delayMs: 10_000,
    });
  });

  it('dead-letters when the attempts are spent, and at once when the endpoint refuses', () => {
    expect(decideCallback({ kind: 'retryable', error: 'http_503' }, { ...context, attempt: 3 })).toEqual({
      action: 'dead-letter',
      reason: 'attempts_exhausted',
    });
    expect(decideCallback({ kind: 'permanent', error: 'http_410' }, context)).toEqual({
      action: 'dead-letter',
      reason: 'permanent_failure',
    });
  });

  it('dead-letters a refused address at once, with its own reason, on the first attempt as on the last', () => {
    const refused = {
      kind: 'refused',
      error: 'address_refused: hooks.example is 10.0.0.5 (private)',
    } as const;
    expect(decideCallback(refused, context)).toEqual({ action: 'dead-letter', reason: 'address_refused' });
    expect(decideCallback(refused, { ...context, attempt: 3 })).toEqual({
      action: 'dead-letter',
      reason: 'address_refused',
    });
  });
});
