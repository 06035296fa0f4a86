import { decideRetry } from '../delivery/retry-policy.js';
import type { Decision, DeliveryPolicy, Facts, OpenedJob } from './outcome.js';

const isOpened = (job: Facts['job']): job is OpenedJob => 'payload' in job;

/**
 * The one decision of the dispatcher: from what is known about a job message to its outcome, or to
 * the fact still missing. Pure: the handler gathers the facts (opening, the lease, the provider
 * calls) and applies the outcome; every branch here is a unit test away.
 *
 * In order: a message that does not open is rejected; an expired code is never sent; a test number
 * never reaches a provider; then the attempt's lease (done: a duplicate; held elsewhere or store down:
 * deferred), then the delivery, whose failure is retried or dead-lettered by `decideRetry`.
 */
export function decide(facts: Facts, policy: DeliveryPolicy): Decision {
  const opened = facts.job;
  if (!isOpened(opened)) return { type: 'rejected', unopened: opened };
  if (Date.parse(opened.job.expiresAt) <= facts.now.getTime()) return { type: 'expired', opened };
  if (opened.job.test) return { type: 'test', opened };

  if (facts.lease === undefined) return { next: 'take_lease' };
  if (facts.lease === 'done') return { type: 'duplicate', opened };
  if (facts.lease === 'busy') return { type: 'deferred', opened, reason: 'in_progress_elsewhere' };
  if (facts.lease === 'unavailable') return { type: 'deferred', opened, reason: 'store_unavailable' };

  const result = facts.result;
  if (result === undefined) return { next: 'attempt_delivery' };
  if (result.accepted) return { type: 'sent', opened, result };
  const retry = decideRetry({
    retryable: result.retryable,
    attempt: opened.attempt.attempt,
    maxAttempts: policy.maxAttempts,
    expiresAt: new Date(opened.job.expiresAt),
    now: facts.now,
    tiersMs: policy.retryTiersMs,
    random: policy.random,
  });
  return retry.action === 'retry'
    ? { type: 'retry', opened, result, tierMs: retry.tierMs, delayMs: retry.delayMs }
    : { type: 'dead_lettered', opened, result, reason: retry.reason };
}
