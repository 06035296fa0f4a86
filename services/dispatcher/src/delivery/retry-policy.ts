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

/**
 * How long to hold a job before giving it back to the work queue when it could not be moved on (the
 * broker refused the republish: a retry tier electing a leader, unreachable for a while). Every give-back
 * counts against the work queue's delivery limit (20: docs/delivery.md) on RabbitMQ before 4.3, so
 * giving back at once would spend it in a second and dead-letter the job; doubling from 250 ms to 5 s
 * with equal jitter, the 20 last through about 80 s of broker trouble. `deliveries` is the job's
 * `x-delivery-count` (absent on the first delivery).
 */
export function giveBackDelayMs(deliveries: number, random: () => number): number {
  const base = Math.min(5_000, 250 * 2 ** Math.min(Math.max(0, deliveries), 10));
  return backoffDelay(base, random);
}
