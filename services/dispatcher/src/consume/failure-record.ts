import type { FailureRecord } from '../delivery/delivery-store.js';
import type { Failed, OpenedJob } from './outcome.js';

/** What the delivery record keeps of a failed attempt (a retry, a dead letter, a failed workflow step). */
export const failureOf = ({ attempt }: OpenedJob, result: Failed): FailureRecord => ({
  attempt: attempt.attempt,
  channel: result.channel,
  lastError: result.lastError,
  history: result.history,
  ...(result.provider ? { provider: result.provider } : {}),
});
