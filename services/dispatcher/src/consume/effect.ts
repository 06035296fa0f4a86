import type { OtpEventInput, JobKey } from '@otpflow/contracts';
import type { FailureRecord, FailureStatus, SentRecord } from '../delivery/delivery-store.js';
import type { JobOutcomeLabel } from '../dispatcher-metrics.js';
import type { DeadLetterMove, RetryMove } from './job-source.js';

/** A write to the delivery record. */
export type StoreWrite =
  | { kind: 'skipped'; status: 'expired_before_delivery' | 'not_sent' }
  | { kind: 'sent'; record: SentRecord }
  | { kind: 'failure'; status: FailureStatus; failure: FailureRecord };

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/**
 * Everything one outcome does, as data, performed in this order by apply-effects.ts: the broker move
 * first (if the broker does not confirm it, nothing else happens and the message goes back), then the
 * delivery record, the lease, the events, the metric and the log line; the message is acked last.
 */
export interface Effects {
  move?: ({ to: 'retry'; move: RetryMove } | { to: 'dead_letter'; move: DeadLetterMove }) & {
    /**
     * What becomes of the message if the move fails: given back, rejected, or (a copy that is only
     * extra, such as a workflow step's timer) the move is given up and the rest applied.
     */
    ifRefused: 'requeue' | 'reject' | 'continue';
  };
  /**
   * The delivery record. A `required` write comes before anything is sent: if it fails, the job is
   * deferred instead. Otherwise a failure is only logged (the provider may already have the message,
   * and it must never be sent again for a lost record).
   */
  record?: { write: StoreWrite; required: boolean; ifFailed: LogLine };
  /** Marks the attempt's lease done, so a redelivery of this message is a duplicate. */
  finishAttempt: boolean;
  events: OtpEventInput[];
  count: { outcome: JobOutcomeLabel; channel: string; retryTierMs?: number };
  log?: LogLine;
}

export interface EffectsContext {
  keys: readonly JobKey[];
  now: Date;
  /** The first retry tier: where a deferred job waits. */
  firstTierMs: number;
}
