import type { JobAttempt, JobRejection, SealedSendPayload, SendJob } from '@otpflow/contracts';
import type { Decision as FraudDecision } from '@otpflow/fraud';
import type { AttemptLease } from '../delivery/delivery-store.js';
import type { RetryDecision } from '../delivery/retry-policy.js';
import type { StepRefusal } from '../workflow/step-screen.js';
import type { StepPlan, StepTimer } from '../workflow/workflow-plan.js';
import type { AttemptResult } from './delivery-attempt.js';

/** A job message that opened: its authenticated envelope, its secret part and which attempt it is. */
export interface OpenedJob {
  job: SendJob;
  payload: SealedSendPayload;
  attempt: JobAttempt;
}

/** A job message that did not open, and why. */
export interface UnopenedJob {
  rejection: JobRejection;
  /** Safe to log and to put in the dead-letter headers (no secret, no number). */
  error: string;
}

export type Accepted = Extract<AttemptResult, { accepted: true }>;
export type Failed = Extract<AttemptResult, { accepted: false }>;
export type DeadLetterReason = Extract<RetryDecision, { action: 'dead-letter' }>['reason'];
export type DeferReason = 'in_progress_elsewhere' | 'store_unavailable';

/**
 * Every way handling one job message can end: a closed set, one outcome per message. What each one
 * does (store, events, metrics, broker) is written once, in effects.ts.
 */
export type Outcome =
  /** Cannot be opened: dead-lettered at once with the rejection, never retried. */
  | { type: 'rejected'; unopened: UnopenedJob }
  /** The code expired before delivery: recorded, never sent. */
  | { type: 'expired'; opened: OpenedJob }
  /** A test number: recorded as not sent, no provider called. */
  | { type: 'test'; opened: OpenedJob }
  /** A redelivery of an attempt already finished: not sent again. */
  | { type: 'duplicate'; opened: OpenedJob }
  /** Cannot run now (another worker holds the attempt, or the store is down): back later, same attempt. */
  | { type: 'deferred'; opened: OpenedJob; reason: DeferReason }
  /**
   * A provider accepted it. `plan` is the workflow step it delivered; `timer`, when the next step runs
   * unless the code is verified first.
   */
  | { type: 'sent'; opened: OpenedJob; result: Accepted; plan: StepPlan; timer?: StepTimer }
  /** A later workflow step fired, but its code is no longer pending (verified, canceled, superseded). */
  | { type: 'step_canceled'; opened: OpenedJob }
  /**
   * The fraud guard (enforce mode) refused a later workflow step: not sent, settled as a failed
   * delivery; the rest of the workflow is dropped (its steps go to the same number).
   */
  | { type: 'step_refused'; opened: OpenedJob; plan: StepPlan; refusal: StepRefusal }
  /** This step failed for good and another follows: the next step runs at once. */
  | { type: 'next_step'; opened: OpenedJob; result: Failed; step: number; reason: DeadLetterReason }
  /** Failed for a transient reason, with attempts and time left: through a retry tier. */
  | { type: 'retry'; opened: OpenedJob; result: Failed; tierMs: number; delayMs: number }
  /** Failed for good: dead-lettered with the reason. */
  | { type: 'dead_lettered'; opened: OpenedJob; result: Failed; reason: DeadLetterReason };

export type OutcomeType = Outcome['type'];

/** What the handler knows about a message so far; each step adds one fact. */
export interface Facts {
  job: OpenedJob | UnopenedJob;
  now: Date;
  /** The attempt's lease, once asked for (`unavailable`: the store could not be reached). */
  lease?: AttemptLease | 'unavailable';
  /**
   * Whether the code is still pending, asked before a later workflow step sends (the first step needs
   * no such read: the gateway just issued it). `unavailable`: the store could not be reached.
   */
  session?: 'live' | 'ended' | 'unavailable';
  /**
   * The fraud guard's word on a later workflow step (the first was judged by the gateway), asked once
   * per step, on its first attempt, once the lease is held: a redelivery is not counted twice.
   */
  screen?: FraudDecision;
  /** The delivery attempt's result, once made. */
  result?: AttemptResult;
}

/** An outcome, or the next fact the decision needs. */
export type Decision =
  | Outcome
  | { next: 'check_session' }
  | { next: 'take_lease' }
  | { next: 'screen_step'; channel: StepPlan['channel'] }
  | { next: 'attempt_delivery'; channel: StepPlan['channel'] };

/** The retry policy the decision applies. */
export interface DeliveryPolicy {
  maxAttempts: number;
  /** The retry queues' delays, ascending; never empty. */
  retryTiersMs: readonly number[];
  /** 0..1, injected so tests are deterministic. */
  random: () => number;
  /** The deployment's default workflow for SMS jobs without one: [sms, voice] (SMS_FALLBACK_TO_VOICE). */
  smsFallbackToVoice: boolean;
}
