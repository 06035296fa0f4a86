import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@otpflow/telemetry';
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
 * The conversation with the management API about otpflow's queue policies: which queue must carry
 * which policy, what differs on the broker, and setting what does. The guard (policy-guard.ts)
 * decides when to ask, what the answer means for the service, and reports it.
 */
export interface PolicyTarget {
  vhost: string;
  topology: TopologyOptions;
  deadLetterTtlMs: number;
  logger: Logger;
  /** How long to wait for the management API to show a queue and its policy (it lags behind). */
  settleTimeoutMs?: number;
}

/** The part of the management API the policies need. */
export type PolicyApi = Pick<ManagementApi, 'queue' | 'policy' | 'putPolicy'>;

/** The queues otpflow owns and the policy each must carry. */
export function policyExpectations(
  target: PolicyTarget,
  brokerVersion: string,
): { queue: string; role: QueuePolicyRole; policy: QueuePolicy }[] {
  const { topology, deadLetterTtlMs } = target;
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

/** Sets each policy that differs from ours (an unchanged PUT would still touch every queue). */
export async function applyPolicies(
  api: PolicyApi,
  target: PolicyTarget,
  brokerVersion: string,
): Promise<void> {
  const { vhost, topology, deadLetterTtlMs, logger } = target;
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
 * without its policy) is asked about again until the settle time is up (or `stopped` says so).
 */
export async function policyProblemsOnceSettled(
  api: PolicyApi,
  target: PolicyTarget,
  brokerVersion: string,
  stopped: () => boolean,
): Promise<string[]> {
  const deadline = Date.now() + (target.settleTimeoutMs ?? 15_000);
  for (;;) {
    const problems = await policyProblems(api, target, brokerVersion);
    if (problems.length === 0 || Date.now() >= deadline || stopped()) return problems;
    await sleep(500);
  }
}

async function policyProblems(
  api: PolicyApi,
  target: PolicyTarget,
  brokerVersion: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (const { queue, role, policy } of policyExpectations(target, brokerVersion)) {
    const info = await api.queue(target.vhost, queue);
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

function samePolicy(current: StoredPolicy, wanted: QueuePolicy): boolean {
  const keys = new Set([...Object.keys(current.definition), ...Object.keys(wanted.definition)]);
  return (
    current.pattern === wanted.pattern &&
    current.priority === wanted.priority &&
    current.applyTo === wanted.applyTo &&
    [...keys].every((key) => current.definition[key] === wanted.definition[key])
  );
}
