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
import { topologyNames, type TopologyOptions } from './topology.js';

/**
 * RABBITMQ_POLICIES:
 *   apply    set otpflow's policies through the management API (the user needs the `policymaker`
 *            tag), then verify them; a service whose queues lack them does not start consuming or
 *            publishing (it retries, unready, until they are in effect)
 *   require  verify only (a platform sets them: the messaging-topology operator's Policy objects);
 *            refuse to run without them, as above (the user needs the `management` tag)
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
  /** How long a policy just set may take to show on every queue. */
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
 * Applies (when asked to) and verifies otpflow's queue policies after every (re)connect, once the
 * topology is declared: a broker restored from an old backup, or a Policy object deleted, is noticed
 * at the next reconnect. The outcome is logged and exported as
 * `otpflow_rabbitmq_policy_state{state="in_effect|missing|unverified"}` (1 for the current state).
 */
export class QueuePolicyGuard {
  private readonly state: Gauge<'state'> | undefined;
  private warnedUnverifiable = false;

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
      ...topology.retryDelaysMs.map((delay) => ({
        queue: names.retryQueue(delay),
        role: 'jobs' as const,
        policy: policies.jobs,
      })),
      { queue: names.deadQueue, role: 'deadLetters' as const, policy: policies.deadLetters },
    ];
  }

  /**
   * Runs after the topology is declared on a new connection. Throws a QueuePolicyError when the service
   * must not run (apply/require and the policies are not in effect, or cannot be checked); `warn` never
   * throws and does not hold the connection up.
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
    if (mode === 'warn') {
      void this.verifyOrExplain(api, brokerVersion).catch((error: unknown) => {
        this.report('unverified');
        logger.warn({ err: error }, 'could not verify the queue policies');
      });
      return;
    }
    try {
      if (mode === 'apply') await this.apply(api, brokerVersion);
      await this.verifyOrExplain(api, brokerVersion);
    } catch (error) {
      if (error instanceof QueuePolicyError) throw error;
      this.report('unverified');
      throw new QueuePolicyError(
        `could not ${mode === 'apply' ? 'apply' : 'verify'} the queue policies (RABBITMQ_POLICIES=${mode})`,
        error,
      );
    }
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

  /** Verifies, waiting a little for a policy just set to reach every queue. */
  private async verifyOrExplain(api: ManagementApi, brokerVersion: string): Promise<void> {
    const { logger, mode } = this.options;
    const deadline = Date.now() + (this.options.settleTimeoutMs ?? 10_000);
    let problems = await this.problems(api, brokerVersion);
    while (problems.length > 0 && mode === 'apply' && Date.now() < deadline) {
      await sleep(250);
      problems = await this.problems(api, brokerVersion);
    }
    if (problems.length === 0) {
      this.report('in_effect');
      logger.info('queue policies in effect');
      return;
    }
    this.report('missing');
    const message = `queue policies not in effect: ${problems.join('; ')}`;
    if (mode === 'warn') {
      logger.warn({ problems }, 'queue policies not in effect: dead-lettering is at-most-once');
      return;
    }
    throw new QueuePolicyError(message);
  }

  private async problems(api: ManagementApi, brokerVersion: string): Promise<string[]> {
    const problems: string[] = [];
    for (const { queue, role, policy } of this.expectations(brokerVersion)) {
      const info = await api.queue(this.options.vhost, queue);
      if (!info) {
        problems.push(`${queue}: no such queue`);
        continue;
      }
      const differences = policyDifferences(
        policy,
        info.effective_policy_definition ?? {},
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
