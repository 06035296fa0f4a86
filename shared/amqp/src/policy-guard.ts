import { AppError } from '@otpflow/errors';
import { Gauge, type Registry } from 'prom-client';
import type { ManagementApi } from './management-api.js';
import { applyPolicies, policyProblemsOnceSettled, type PolicyTarget } from './policy-reconciler.js';

/**
 * RABBITMQ_POLICIES:
 *   apply    set otpflow's policies through the management API (the user needs the `policymaker`
 *            tag), then verify them; a service that cannot set them does not start consuming or
 *            publishing (it retries, unready, until it can)
 *   require  verify only (a platform sets them: the messaging-topology operator's Policy objects);
 *            refuse to run until they are in effect (the user needs the `management` tag)
 *   warn     verify, log and report what is missing, and run anyway
 *   off      neither (no management API to ask)
 */
export const POLICY_MODES = ['apply', 'require', 'warn', 'off'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

export const POLICY_STATES = ['in_effect', 'missing', 'unverified'] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

export interface QueuePolicyGuardOptions extends PolicyTarget {
  mode: PolicyMode;
  /** Absent when no RABBITMQ_MANAGEMENT_URL is set (only `warn` and `off` allow that). */
  api: ManagementApi | undefined;
  registry: Registry | undefined;
}

/** A queue's policies are not what otpflow needs, and the mode says not to run without them. */
export class QueuePolicyError extends AppError {
  override readonly name = 'QueuePolicyError';

  constructor(message: string, cause?: unknown) {
    super('RABBITMQ_POLICY_MISSING', message, { retryable: true, cause });
  }
}

/**
 * Applies (when asked to) and verifies otpflow's queue policies. The first connect of the process does
 * what the mode asks before the service takes any work (apply: set them; require: see them in effect);
 * every later reconnect verifies in the background, so a failover is not held up by the management API
 * (whose view of a queue lags a few seconds behind, more while a node is down). A broker restored from
 * an old backup or a Policy object deleted is still noticed: apply sets the policies again, require
 * logs it and makes the next connect wait for them. The outcome is logged and exported as
 * `otpflow_rabbitmq_policy_state{state="in_effect|missing|unverified"}` (1 for the current state).
 */
export class QueuePolicyGuard {
  private readonly state: Gauge<'state'> | undefined;
  private warnedUnverifiable = false;
  /** Set once the mode's start-up duty is done; cleared when require finds the policies gone. */
  private settled = false;
  private background: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: QueuePolicyGuardOptions) {
    if ((options.mode === 'apply' || options.mode === 'require') && !options.api)
      throw new Error(`RABBITMQ_POLICIES=${options.mode} needs the management API`);
    this.state = options.registry
      ? new Gauge({
          name: 'otpflow_rabbitmq_policy_state',
          help: "Whether otpflow's queue policies (at-least-once dead-lettering, delivery limit, dead-letter expiry) are in effect on its queues.",
          labelNames: ['state'],
          registers: [options.registry],
        })
      : undefined;
    this.report('unverified');
  }

  private report(state: PolicyState): void {
    for (const each of POLICY_STATES) this.state?.set({ state: each }, each === state ? 1 : 0);
  }

  /**
   * Runs after the topology is declared on a new connection. Throws a QueuePolicyError when the service
   * must not run yet: on the first connect with apply (the policies could not be set) or require (they
   * are not in effect, or cannot be checked). Never throws with warn or off.
   */
  async check(brokerVersion: string): Promise<void> {
    const { mode, api, logger } = this.options;
    if (mode === 'off') return;
    if (!api) {
      if (!this.warnedUnverifiable) {
        logger.warn(
          'queue policies not verified (no RABBITMQ_MANAGEMENT_URL): without them dead-lettering is at-most-once and RabbitMQ 4 drops dead letters that are listed too often',
        );
        this.warnedUnverifiable = true;
      }
      return;
    }
    if (mode === 'warn' || this.settled) {
      this.verifyInBackground(api, brokerVersion);
      return;
    }
    try {
      if (mode === 'apply') {
        await applyPolicies(api, this.options, brokerVersion);
        this.settled = true;
        this.verifyInBackground(api, brokerVersion);
        return;
      }
      const problems = await this.problemsOnceSettled(api, brokerVersion);
      this.conclude(problems);
      if (problems.length > 0)
        throw new QueuePolicyError(`queue policies not in effect: ${problems.join('; ')}`);
      this.settled = true;
    } catch (error) {
      if (error instanceof QueuePolicyError) throw error;
      this.report('unverified');
      throw new QueuePolicyError(
        `could not ${mode === 'apply' ? 'apply' : 'verify'} the queue policies (RABBITMQ_POLICIES=${mode})`,
        error,
      );
    }
  }

  /** Ends a background verification at its next step (the service is shutting down). */
  stop(): void {
    this.stopped = true;
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  private problemsOnceSettled(api: ManagementApi, brokerVersion: string): Promise<string[]> {
    return policyProblemsOnceSettled(api, this.options, brokerVersion, () => this.isStopped());
  }

  private verifyInBackground(api: ManagementApi, brokerVersion: string): void {
    const { logger, mode } = this.options;
    if (this.background || this.stopped) return;
    this.background = (async () => {
      let problems = await this.problemsOnceSettled(api, brokerVersion);
      if (problems.length > 0 && mode === 'apply') {
        await applyPolicies(api, this.options, brokerVersion);
        problems = await this.problemsOnceSettled(api, brokerVersion);
      }
      if (this.isStopped()) return;
      this.conclude(problems);
      if (problems.length > 0 && mode === 'require') {
        // Held to at the next connect.
        this.settled = false;
        logger.error({ problems }, 'queue policies no longer in effect');
      }
    })()
      .catch((error: unknown) => {
        this.report('unverified');
        logger.warn({ err: error }, 'could not verify the queue policies');
      })
      .finally(() => {
        this.background = undefined;
      });
  }

  private conclude(problems: readonly string[]): void {
    const { logger } = this.options;
    if (problems.length === 0) {
      this.report('in_effect');
      logger.info('queue policies in effect');
      return;
    }
    this.report('missing');
    logger.warn({ problems }, 'queue policies not in effect: dead-lettering is at-most-once');
  }
}
