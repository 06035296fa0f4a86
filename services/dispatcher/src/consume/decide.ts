import { decideRetry } from '../delivery/retry-policy.js';
import { stepOf, timerAfter } from '../workflow/workflow-plan.js';
import type { Decision, DeliveryPolicy, Facts, OpenedJob } from './outcome.js';

const isOpened = (job: Facts['job']): job is OpenedJob => 'payload' in job;

/**
 * The one decision of the dispatcher: from what is known about a job message to its outcome, or to
 * the fact still missing. Pure: the handler gathers the facts (opening, the code's state, the lease,
 * the provider calls) and applies the outcome; every branch here is a unit test away.
 *
 * In order: a message that does not open is rejected; an expired code is never sent; a test number
 * never reaches a provider; a later workflow step first asks whether its code is still pending (no:
 * canceled); then the attempt's lease (done: a duplicate; held elsewhere or store down: deferred);
 * for a later step's first attempt, the fraud guard (a refusal: the step is not sent); then the
 * delivery on the step's channel, whose failure is retried by `decideRetry`, or else moves to the next
 * step, or is dead-lettered when none follows.
 */
export function decide(facts: Facts, policy: DeliveryPolicy): Decision {
  const opened = facts.job;
  if (!isOpened(opened)) return { type: 'rejected', unopened: opened };
  if (Date.parse(opened.job.expiresAt) <= facts.now.getTime()) return { type: 'expired', opened };
  if (opened.job.test) return { type: 'test', opened };
  const plan = stepOf(opened.job, opened.attempt, policy.smsFallbackToVoice);
  if (!plan) return { type: 'step_canceled', opened };

  if (plan.index > 0) {
    if (facts.session === undefined) return { next: 'check_session' };
    if (facts.session === 'ended') return { type: 'step_canceled', opened };
    if (facts.session === 'unavailable') return { type: 'deferred', opened, reason: 'store_unavailable' };
  }

  if (facts.lease === undefined) return { next: 'take_lease' };
  if (facts.lease === 'done') return { type: 'duplicate', opened };
  if (facts.lease === 'busy') return { type: 'deferred', opened, reason: 'in_progress_elsewhere' };
  if (facts.lease === 'unavailable') return { type: 'deferred', opened, reason: 'store_unavailable' };

  if (plan.index > 0 && opened.attempt.attempt === 1) {
    if (facts.screen === undefined) return { next: 'screen_step', channel: plan.channel };
    if (facts.screen.action !== 'allow') return { type: 'step_refused', opened, plan, refusal: facts.screen };
  }

  const result = facts.result;
  if (result === undefined) return { next: 'attempt_delivery', channel: plan.channel };
  const expiresAt = new Date(opened.job.expiresAt);
  if (result.accepted) {
    const timer = timerAfter(plan, facts.now, expiresAt);
    return { type: 'sent', opened, result, plan, ...(timer ? { timer } : {}) };
  }
  const retry = decideRetry({
    retryable: result.retryable,
    attempt: opened.attempt.attempt,
    maxAttempts: policy.maxAttempts,
    expiresAt,
    now: facts.now,
    tiersMs: policy.retryTiersMs,
    random: policy.random,
  });
  if (retry.action === 'retry')
    return { type: 'retry', opened, result, tierMs: retry.tierMs, delayMs: retry.delayMs };
  return plan.next
    ? { type: 'next_step', opened, result, step: plan.next.index, reason: retry.reason }
    : { type: 'dead_lettered', opened, result, reason: retry.reason };
}
