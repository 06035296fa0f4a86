import { backoffDelay, tierFor } from '../delivery/retry-policy.js';

/** How one POST to an endpoint ended, as far as retrying goes. */
export type CallbackResult =
  | { kind: 'delivered'; status: number }
  | { kind: 'retryable'; status?: number; error: string }
  | { kind: 'permanent'; status?: number; error: string }
  /** Never attempted: the endpoint's host is (or resolves to) an address callbacks may not reach. */
  | { kind: 'refused'; error: string };

/** Statuses worth asking again: the endpoint is busy or broken for now, not refusing the message. */
const RETRYABLE_STATUSES = new Set([408, 409, 425, 429]);

/**
 * 2xx is delivered. 5xx and the statuses above are retried; any other 4xx says the endpoint refuses
 * this message (gone, unauthorised, bad request), which asking again will not change.
 */
export function classifyStatus(status: number): CallbackResult {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status >= 500 || RETRYABLE_STATUSES.has(status))
    return { kind: 'retryable', status, error: `http_${status}` };
  return { kind: 'permanent', status, error: `http_${status}` };
}

export type CallbackDecision =
  | { action: 'ack' }
  | { action: 'retry'; tierMs: number; delayMs: number }
  | { action: 'dead-letter'; reason: 'permanent_failure' | 'attempts_exhausted' | 'address_refused' };

/** The one place a callback's fate is decided: from the result's kind and the attempt count. */
export function decideCallback(
  result: CallbackResult,
  context: { attempt: number; maxAttempts: number; tiersMs: readonly number[]; random: () => number },
): CallbackDecision {
  if (result.kind === 'delivered') return { action: 'ack' };
  if (result.kind === 'permanent') return { action: 'dead-letter', reason: 'permanent_failure' };
  // Asking again resolves the same name to the same cluster: it is the endpoint that must change.
  if (result.kind === 'refused') return { action: 'dead-letter', reason: 'address_refused' };
  if (context.attempt >= context.maxAttempts) return { action: 'dead-letter', reason: 'attempts_exhausted' };
  const tierMs = tierFor(context.attempt, context.tiersMs);
  return { action: 'retry', tierMs, delayMs: backoffDelay(tierMs, context.random) };
}
