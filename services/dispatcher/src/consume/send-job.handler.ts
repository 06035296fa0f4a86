import type { JobKey } from '@otpflow/contracts';
import type { FraudGuard } from '@otpflow/fraud';
import type { Logger } from '@otpflow/telemetry';
import type { Clock } from '../clock.js';
import type { DeliveryStore } from '../delivery/delivery-store.js';
import type { SessionLookup } from '../delivery/session-lookup.js';
import type { DispatcherMetrics } from '../dispatcher-metrics.js';
import type { EventSink } from '../events/event-sink.js';
import { stepFacts, unsentCountedStep } from '../workflow/step-screen.js';
import { applyEffects } from './apply-effects.js';
import { decide } from './decide.js';
import { attemptDelivery, type AttemptDeps } from './delivery-attempt.js';
import { effectsOf } from './effects.js';
import type { ReceivedJob } from './job-source.js';
import { openJob } from './open-job.js';
import type { DeliveryPolicy, Facts, OpenedJob, Outcome } from './outcome.js';

export interface SendJobHandlerDeps {
  keys: readonly JobKey[];
  store: DeliveryStore;
  /** Whether a code is still pending, asked before a later workflow step sends. */
  sessions: SessionLookup;
  events: EventSink;
  /** The fraud guard every later workflow step passes (the gateway's, sharing its counts and blocks). */
  guard: Pick<FraudGuard, 'assess' | 'withdrawn'>;
  metrics: DispatcherMetrics;
  logger: Logger;
  clock: Clock;
  attempts: Omit<AttemptDeps, 'clock' | 'metrics'>;
  policy: DeliveryPolicy;
  /** Waits before a job that could not be moved on is given back (timers; tests may pass their own). */
  pause: (ms: number) => Promise<void>;
  random: () => number;
}

/**
 * Handles one send job message, from delivery to settlement: gathers the facts `decide` asks for
 * (the opened job, the attempt's lease, the provider calls), then applies the one outcome it returns
 * through the effects table. The message is settled only once its outcome is safe: recorded, or
 * moved on with a confirm.
 */
export class SendJobHandler {
  constructor(private readonly deps: SendJobHandlerDeps) {}

  readonly handle = async (received: ReceivedJob): Promise<void> => {
    const { metrics, clock, keys } = this.deps;
    metrics.inFlight.inc();
    try {
      const job = openJob(received, keys);
      const log = this.logFor(received, job);
      if ('payload' in job && job.attempt.attempt === 1 && job.attempt.run === 'first')
        metrics.queueLag.observe((clock.now().getTime() - Date.parse(job.job.createdAt)) / 1000);
      const outcome = await this.resolve({ job, now: clock.now() }, log);
      this.withdrawUnsentStep(outcome);
      await this.apply(outcome, received, log);
    } finally {
      metrics.inFlight.dec();
    }
  };

  /**
   * Asks `decide` until it has an outcome, fetching each fact it needs (at most the code's state, the
   * lease, the fraud guard's word on a later step, then the attempt).
   */
  private async resolve(initial: Facts, log: Logger): Promise<Outcome> {
    let facts = initial;
    let decision = decide(facts, this.deps.policy);
    while ('next' in decision) {
      const opened = facts.job as OpenedJob;
      switch (decision.next) {
        case 'check_session':
          facts = { ...facts, session: await this.session(opened, log) };
          break;
        case 'take_lease':
          facts = { ...facts, lease: await this.lease(opened, log) };
          break;
        case 'screen_step':
          // From memory: the guard's counts and blocks are synced on its own timer.
          facts = { ...facts, screen: this.deps.guard.assess(stepFacts(opened, decision.channel)) };
          break;
        case 'attempt_delivery':
          facts = {
            ...facts,
            result: await attemptDelivery(opened, decision.channel, {
              ...this.deps.attempts,
              clock: this.deps.clock,
              metrics: this.deps.metrics,
            }),
            now: this.deps.clock.now(),
          };
      }
      decision = decide(facts, this.deps.policy);
    }
    return decision;
  }

  /** A later step the guard counted but that was never sent leaves its counts (from memory, no command). */
  private withdrawUnsentStep(outcome: Outcome): void {
    const plan = unsentCountedStep(outcome, this.deps.policy.smsFallbackToVoice);
    if (plan && 'opened' in outcome) this.deps.guard.withdrawn(stepFacts(outcome.opened, plan.channel));
  }

  private async session(opened: OpenedJob, log: Logger): Promise<Facts['session']> {
    try {
      return await this.deps.sessions.stateOf(opened.job, opened.payload, this.deps.clock.now());
    } catch (error) {
      log.warn({ err: error }, 'code state unavailable; deferring the workflow step');
      return 'unavailable';
    }
  }

  private async lease(opened: OpenedJob, log: Logger): Promise<Facts['lease']> {
    try {
      return await this.deps.store.takeAttempt(opened.job, opened.attempt);
    } catch (error) {
      // The job is deferred through the first retry tier, not lost.
      log.warn({ err: error }, 'delivery state unavailable; deferring the job');
      return 'unavailable';
    }
  }

  private async apply(outcome: Outcome, received: ReceivedJob, log: Logger): Promise<void> {
    const { keys, clock, policy } = this.deps;
    const context = { keys, now: clock.now(), firstTierMs: policy.retryTiersMs[0] ?? 1000 };
    const opened = 'opened' in outcome ? outcome.opened : undefined;
    const applied = await applyEffects(effectsOf(outcome, context), { received, opened, log }, this.deps);
    if (applied === 'record_failed' && opened) {
      const deferred: Outcome = { type: 'deferred', opened, reason: 'store_unavailable' };
      await applyEffects(effectsOf(deferred, context), { received, opened, log }, this.deps);
    }
  }

  private logFor(received: ReceivedJob, job: ReturnType<typeof openJob>): Logger {
    const correlator = received.headers['x-correlator'];
    return this.deps.logger.child({
      ...('payload' in job
        ? { authenticationId: job.job.authenticationId, jobId: job.job.jobId, attempt: job.attempt.attempt }
        : {}),
      ...(typeof correlator === 'string' ? { correlator } : {}),
    });
  }
}
