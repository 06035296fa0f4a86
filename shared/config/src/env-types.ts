import { z } from 'zod';

/** Building blocks for config schemas: environment variables are strings, these turn them into values. */

export const envInt = (defaultValue: number, bounds: { min?: number; max?: number } = {}) =>
  z.coerce
    .number()
    .int()
    .min(bounds.min ?? Number.MIN_SAFE_INTEGER)
    .max(bounds.max ?? Number.MAX_SAFE_INTEGER)
    .default(defaultValue);

export const envBool = (defaultValue: boolean) => z.stringbool().default(defaultValue);

/** A comma-separated list; blanks are dropped, each item is checked by `item`. */
export const envList = <T extends z.ZodType>(item: T) =>
  z
    .preprocess(
      (raw) =>
        typeof raw === 'string'
          ? raw
              .split(',')
              .map((part) => part.trim())
              .filter(Boolean)
          : raw,
      z.array(item),
    )
    .default([]);

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

export const nodeEnv = z.enum(['development', 'test', 'production']).default('development');
