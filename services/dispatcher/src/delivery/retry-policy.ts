/**
 * What happens to a job after a delivery attempt failed, decided in one place from the error's type,
 * the attempt count and the code's expiry; never from error text.
 */
export type RetryDecision =
  | { action: 'retry'; delayMs: number; tierMs: number }
  | { action: 'dead-letter'; reason: 'permanent_failure' | 'attempts_exhausted' | 'expires_before_retry' };

export interface RetryContext {
  /** Did any provider that was tried fail for a transient reason (so a later attempt may succeed)? */
  retryable: boolean;
  /** The attempt that just failed, from 1. */
  attempt: number;
  maxAttempts: number;
  expiresAt: Date;
  now: Date;
  /** The retry queues' delays (ascending): attempt n waits in tier n (the last tier repeats). */
  tiersMs: readonly number[];
  /** 0..1, injected so tests are deterministic. */
  random: () => number;
}

/**
 * Backoff with "equal jitter": half of the tier's delay is fixed, the other half random, so retries
 * of a provider outage spread out instead of arriving together. The tier's TTL is the upper bound
 * (RabbitMQ expires a message at the earlier of its own and its queue's TTL).
 */
export function backoffDelay(tierMs: number, random: () => number): number {
  return Math.round(tierMs / 2 + (tierMs / 2) * random());
}

export function tierFor(attempt: number, tiersMs: readonly number[]): number {
  const tier = tiersMs[Math.min(attempt, tiersMs.length) - 1];
  if (tier === undefined) throw new Error('no retry delays configured');
  return tier;
}

export function decideRetry(context: RetryContext): RetryDecision {
  if (!context.retryable) return { action: 'dead-letter', reason: 'permanent_failure' };
  if (context.attempt >= context.maxAttempts) return { action: 'dead-letter', reason: 'attempts_exhausted' };
  const tierMs = tierFor(context.attempt, context.tiersMs);
  const delayMs = backoffDelay(tierMs, context.random);
  if (context.now.getTime() + delayMs >= context.expiresAt.getTime()) {
    return { action: 'dead-letter', reason: 'expires_before_retry' };
  }
  return { action: 'retry', delayMs, tierMs };
}
