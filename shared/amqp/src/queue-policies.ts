/**
 * The RabbitMQ policies otpflow's queues need, in one place. Queue arguments cannot change on an
 * existing queue, a policy can: so everything about how the queues dead-letter and how often a message
 * may be redelivered is a policy, which the services apply through the management API
 * (RABBITMQ_POLICIES=apply) or a platform applies for them (the messaging-topology operator's `Policy`
 * objects in k8s/, tested against `queuePolicies()`), and which the services verify on every connect.
 *
 *   <prefix>.jobs          ^<prefix>\.send(\.retry\.[0-9]+ms)?$   the work queue and every retry tier
 *     dead-letter-strategy: at-least-once   a job on its way between queues (a retry tier's TTL back to
 *                                           the work queue, the work queue to the dead letters) is kept
 *                                           by its source queue until the target confirms it, instead of
 *                                           being lost in a leader change
 *     overflow: reject-publish              required by at-least-once (drop-head falls back to
 *                                           at-most-once); with no max-length set it never rejects
 *     delivery-limit: 20                    a job redelivered more often (a dispatcher crashing on it) is
 *                                           dead-lettered; RabbitMQ 4 defaults to 20, 3.x to no limit
 *
 *   <prefix>.dead-letters  ^<prefix>\.send\.dead$
 *     message-ttl: DEAD_LETTER_TTL_MS       dead letters expire (and are dropped: the DLQ has no target)
 *     delivery-limit: -1 (RabbitMQ ≥ 4)     never drop a dead letter for being looked at: `dlq list`
 *                                           takes each one and gives it back, which counts as a delivery
 *                                           on brokers before 4.3; 3.x has no default limit and refuses
 *                                           -1, so there the key is left out (and must stay unset)
 *
 * The priority is above RabbitMQ's default 0, so a catch-all policy (`.*`) does not displace these; a
 * queue takes exactly one policy, so limits an operator wants on top (max-length) belong in an
 * operator policy, which RabbitMQ merges with these.
 */

/** A policy as RabbitMQ's HTTP API and the messaging-topology operator's `Policy` spell it. */
export interface QueuePolicy {
  name: string;
  pattern: string;
  priority: number;
  applyTo: 'queues';
  definition: Readonly<Record<string, string | number>>;
}

export interface QueuePolicyOptions {
  /** AMQP_PREFIX. */
  prefix: string;
  /** DEAD_LETTER_TTL_MS: how long a dead letter is kept. */
  deadLetterTtlMs: number;
  /** The broker's version (`3.10.8`, `4.1.0`): the dead-letter queue's delivery limit depends on it. */
  brokerVersion: string;
}

export const DEFAULT_DEAD_LETTER_TTL_MS = 7 * 24 * 3600 * 1000;

/** The static part of every policy: names and patterns are written for the prefix `{prefix}`. */
export const QUEUE_POLICIES = {
  jobs: {
    name: '{prefix}.jobs',
    pattern: '^{prefix}\\.send(\\.retry\\.[0-9]+ms)?$',
    priority: 10,
    applyTo: 'queues',
    definition: { 'dead-letter-strategy': 'at-least-once', overflow: 'reject-publish', 'delivery-limit': 20 },
  },
  deadLetters: {
    name: '{prefix}.dead-letters',
    pattern: '^{prefix}\\.send\\.dead$',
    priority: 10,
    applyTo: 'queues',
    /** `message-ttl` is DEAD_LETTER_TTL_MS; `delivery-limit` -1 on RabbitMQ 4 and later only. */
    definition: { 'message-ttl': '{deadLetterTtlMs}', 'delivery-limit': -1 },
  },
} as const;

export type QueuePolicyRole = keyof typeof QUEUE_POLICIES;

/** `4.1.0` → 4; an unreadable version counts as the oldest supported (3). */
export function brokerMajor(version: string): number {
  const major = Number.parseInt(version, 10);
  return Number.isFinite(major) && major > 0 ? major : 3;
}

/** The prefix as a regular expression matches it literally (`test.ab_1` → `test\.ab_1`). */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/** The concrete policies for a deployment: its prefix, its dead-letter expiry and its broker. */
export function queuePolicies(options: QueuePolicyOptions): Record<QueuePolicyRole, QueuePolicy> {
  const name = (template: string) => template.replace('{prefix}', options.prefix);
  const pattern = (template: string) => template.replace('{prefix}', escapeRegExp(options.prefix));
  const { jobs, deadLetters } = QUEUE_POLICIES;
  return {
    jobs: {
      name: name(jobs.name),
      pattern: pattern(jobs.pattern),
      priority: jobs.priority,
      applyTo: jobs.applyTo,
      definition: { ...jobs.definition },
    },
    deadLetters: {
      name: name(deadLetters.name),
      pattern: pattern(deadLetters.pattern),
      priority: deadLetters.priority,
      applyTo: deadLetters.applyTo,
      definition: {
        'message-ttl': options.deadLetterTtlMs,
        ...(brokerMajor(options.brokerVersion) >= 4
          ? { 'delivery-limit': deadLetters.definition['delivery-limit'] }
          : {}),
      },
    },
  };
}

/** Keys that must be absent from a queue's effective policy (3.x: any delivery limit on the DLQ drops). */
export function keysThatMustBeUnset(role: QueuePolicyRole, brokerVersion: string): readonly string[] {
  return role === 'deadLetters' && brokerMajor(brokerVersion) < 4 ? ['delivery-limit'] : [];
}

/**
 * What is wrong with a queue's effective policy definition (as the management API reports it), given
 * the policy it should have: every key of ours with our value, and no key that must stay unset. An
 * empty list means the policy is in effect. Extra keys (an operator policy's max-length) are fine.
 */
export function policyDifferences(
  expected: QueuePolicy,
  effective: Readonly<Record<string, unknown>>,
  mustBeUnset: readonly string[] = [],
): string[] {
  const differences: string[] = [];
  for (const [key, value] of Object.entries(expected.definition)) {
    const actual = effective[key];
    if (actual === undefined) differences.push(`${key} is not set (want ${JSON.stringify(value)})`);
    else if (actual !== value)
      differences.push(`${key} is ${JSON.stringify(actual)} (want ${JSON.stringify(value)})`);
  }
  for (const key of mustBeUnset) {
    if (effective[key] !== undefined)
      differences.push(`${key} is ${JSON.stringify(effective[key])} (want it unset)`);
  }
  return differences;
}
