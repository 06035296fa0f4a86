import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@otpflow/errors';
import type { Logger } from '@otpflow/telemetry';
import { Gauge, type Registry } from 'prom-client';
import type { ManagementApi, StoredPolicy } from './management-api.js';
import {
  keysThatMustBeUnset,
  policyDifferences,
  queuePolicies,
  type QueuePolicy,
  type QueuePolicyRole,
} from './queue-policies.js';
import { delayTiersMs, topologyNames, type TopologyOptions } from './topology.js';

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

export interface QueuePolicyGuardOptions {
  mode: PolicyMode;
  /** Absent when no RABBITMQ_MANAGEMENT_URL is set (only `warn` and `off` allow that). */
  api: ManagementApi | undefined;
  vhost: string;
  topology: TopologyOptions;
  deadLetterTtlMs: number;
  logger: Logger;
  registry: Registry | undefined;
  /** How long to wait for the management API to show a queue and its policy (it lags behind). */
  settleTimeoutMs?: number;
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

  /** The queues otpflow owns and the policy each must carry. */
  expectations(brokerVersion: string): { queue: string; role: QueuePolicyRole; policy: QueuePolicy }[] {
    const { topology, deadLetterTtlMs } = this.options;
    const names = topologyNames(topology.prefix);
    const policies = queuePolicies({ prefix: topology.prefix, deadLetterTtlMs, brokerVersion });
    return [
      { queue: names.sendQueue, role: 'jobs' as const, policy: policies.jobs },
      ...delayTiersMs(topology).map((delay) => ({
        queue: names.retryQueue(delay),
        role: 'jobs' as const,
        policy: policies.jobs,
      })),
      { queue: names.deadQueue, role: 'deadLetters' as const, policy: policies.deadLetters },
    ];
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
        await this.apply(api, brokerVersion);
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

  private verifyInBackground(api: ManagementApi, brokerVersion: string): void {
    const { logger, mode } = this.options;
    if (this.background || this.stopped) return;
    this.background = (async () => {
      let problems = await this.problemsOnceSettled(api, brokerVersion);
      if (problems.length > 0 && mode === 'apply') {
        await this.apply(api, brokerVersion);
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

  /** Sets each policy that differs from ours (an unchanged PUT would still touch every queue). */
  private async apply(api: ManagementApi, brokerVersion: string): Promise<void> {
    const { vhost, topology, deadLetterTtlMs, logger } = this.options;
    const policies = queuePolicies({ prefix: topology.prefix, deadLetterTtlMs, brokerVersion });
    for (const policy of Object.values(policies)) {
      const current = await api.policy(vhost, policy.name);
      if (current && samePolicy(current, policy)) continue;
      await api.putPolicy(vhost, policy);
      logger.info({ policy: policy.name, definition: policy.definition }, 'queue policy set');
    }
  }

  /**
   * What is missing, once the management API has caught up: it learns of a queue, and of a policy
   * change, from statistics the nodes emit every few seconds, so a queue it does not show yet (or shows
   * without its policy) is asked about again until the settle time is up.
   */
  private async problemsOnceSettled(api: ManagementApi, brokerVersion: string): Promise<string[]> {
    const deadline = Date.now() + (this.options.settleTimeoutMs ?? 15_000);
    for (;;) {
      const problems = await this.problems(api, brokerVersion);
      if (problems.length === 0 || Date.now() >= deadline || this.isStopped()) return problems;
      await sleep(500);
    }
  }

  private async problems(api: ManagementApi, brokerVersion: string): Promise<string[]> {
    const problems: string[] = [];
    for (const { queue, role, policy } of this.expectations(brokerVersion)) {
      const info = await api.queue(this.options.vhost, queue);
      if (!info?.effective_policy_definition) {
        problems.push(`${queue}: not known to the management API yet`);
        continue;
      }
      const differences = policyDifferences(
        policy,
        info.effective_policy_definition,
        keysThatMustBeUnset(role, brokerVersion),
      );
      if (differences.length > 0) problems.push(`${queue}: ${differences.join(', ')}`);
    }
    return problems;
  }
}

function samePolicy(current: StoredPolicy, wanted: QueuePolicy): boolean {
  const keys = new Set([...Object.keys(current.definition), ...Object.keys(wanted.definition)]);
  return (
    current.pattern === wanted.pattern &&
    current.priority === wanted.priority &&
    current.applyTo === wanted.applyTo &&
    [...keys].every((key) => current.definition[key] === wanted.definition[key])
  );
}
