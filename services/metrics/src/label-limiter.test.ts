import { describe, expect, it } from 'vitest';
import { LabelLimiter } from './label-limiter.js';

describe('LabelLimiter', () => {
  it('keeps the first values seen up to the limit, folds the rest into "other"', () => {
    const limiter = new LabelLimiter([], 2);
    expect(['a', 'b', 'c', 'a', 'd'].map((value) => limiter.value(value))).toEqual([
      'a',
      'b',
      'other',
      'a',
      'other',
    ]);
  });

  it('with an allowlist, keeps only the listed values', () => {
    const limiter = new LabelLimiter(['acme'], 100);
    expect(['acme', 'globex'].map((value) => limiter.value(value))).toEqual(['acme', 'other']);
  });
});
