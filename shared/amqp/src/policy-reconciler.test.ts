import { createLogger } from '@otpflow/telemetry';
import { describe, expect, it } from 'vitest';
import type { QueueInfo, StoredPolicy } from './management-api.js';
import {
  applyPolicies,
  policyExpectations,
  policyProblemsOnceSettled,
  type PolicyApi,
  type PolicyTarget,
} from './policy-reconciler.js';
import { queuePolicies, type QueuePolicy } from './queue-policies.js';

const BROKER = '4.1.0';
const target: PolicyTarget = {
  vhost: '/',
  topology: { prefix: 'otp', queueType: 'quorum', retryDelaysMs: [1_000] },
  deadLetterTtlMs: 604_800_000,
  logger: createLogger({ service: 'test', level: 'silent' }),
  settleTimeoutMs: 0,
};
const policies = queuePolicies({ prefix: 'otp', deadLetterTtlMs: 604_800_000, brokerVersion: BROKER });

/** A management API that holds policies and queues in maps, and records each PUT. */
function fakeApi(stored: StoredPolicy[], queues: QueueInfo[]) {
  const put: string[] = [];
  const api: PolicyApi = {
    policy: (_vhost, name) => Promise.resolve(stored.find((policy) => policy.name === name)),
    putPolicy: (_vhost, policy: QueuePolicy) => {
      put.push(policy.name);
      return Promise.resolve();
    },
    queue: (_vhost, name) => Promise.resolve(queues.find((queue) => queue.name === name)),
  };
  return { api, put };
}

describe('the queue policies against the management API', () => {
  it('expects the jobs policy on the work queue and every delay tier, the dead letters on the dead queue', () => {
    const expected = policyExpectations(target, BROKER).map(({ queue, role }) => `${queue} ${role}`);
    expect(expected[0]).toBe('otp.send jobs');
    expect(expected).toContain('otp.send.retry.1000ms jobs');
    expect(expected).toContain('otp.send.retry.900000ms jobs');
    expect(expected.at(-1)).toBe('otp.send.dead deadLetters');
  });

  it('sets only the policies that differ from what the broker holds', async () => {
    const { api, put } = fakeApi([{ ...policies.jobs }], []);
    await applyPolicies(api, target, BROKER);
    expect(put).toEqual([policies.deadLetters.name]);
    const changed = fakeApi([{ ...policies.jobs, priority: 1 }, { ...policies.deadLetters }], []);
    await applyPolicies(changed.api, target, BROKER);
    expect(changed.put).toEqual([policies.jobs.name]);
  });

  it('names each queue not yet known or whose effective policy differs, and nothing when all carry theirs', async () => {
    const expectations = policyExpectations(target, BROKER);
    const carrying = expectations.map(({ queue, policy }) => ({
      name: queue,
      effective_policy_definition: { ...policy.definition },
    }));
    expect(await policyProblemsOnceSettled(fakeApi([], carrying).api, target, BROKER, () => false)).toEqual(
      [],
    );
    const [work, ...others] = carrying;
    const drifted = [{ name: work?.name ?? '', effective_policy_definition: {} }, ...others.slice(1)];
    const problems = await policyProblemsOnceSettled(fakeApi([], drifted).api, target, BROKER, () => false);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^otp\.send: /);
    expect(problems[1]).toBe(`${others[0]?.name ?? ''}: not known to the management API yet`);
  });
});
