import { describe, expect, it } from 'vitest';
import { keysThatMustBeUnset, policyDifferences, QUEUE_POLICIES, queuePolicies } from './queue-policies.js';
import { topologyNames } from './topology.js';

const options = { prefix: 'otp', deadLetterTtlMs: 604_800_000 };
const matches = (pattern: string, name: string) => new RegExp(pattern).test(name);

describe('queuePolicies', () => {
  it('renders the production policies for RabbitMQ 4', () => {
    expect(queuePolicies({ ...options, brokerVersion: '4.1.0' })).toEqual({
      jobs: {
        name: 'otp.jobs',
        pattern: '^otp\\.send(\\.retry\\.[0-9]+ms)?$',
        priority: 10,
        applyTo: 'queues',
        definition: {
          'dead-letter-strategy': 'at-least-once',
          overflow: 'reject-publish',
          'delivery-limit': 20,
        },
      },
      deadLetters: {
        name: 'otp.dead-letters',
        pattern: '^otp\\.send\\.dead$',
        priority: 10,
        applyTo: 'queues',
        definition: { 'message-ttl': 604_800_000, 'delivery-limit': -1 },
      },
    });
  });

  it('leaves the dead letters without a delivery limit on RabbitMQ 3 (it has no default and refuses -1)', () => {
    const policies = queuePolicies({ ...options, brokerVersion: '3.10.8' });
    expect(policies.deadLetters.definition).toEqual({ 'message-ttl': 604_800_000 });
    expect(keysThatMustBeUnset('deadLetters', '3.10.8')).toEqual(['delivery-limit']);
    expect(keysThatMustBeUnset('deadLetters', '4.0.5')).toEqual([]);
    expect(policies.jobs.definition).toEqual(QUEUE_POLICIES.jobs.definition);
  });

  it.each(['otp', 'test.ab_12', 'my-app.v2'])(
    'matches exactly the work queue, the retry tiers and the dead letters (prefix %s)',
    (prefix) => {
      const { jobs, deadLetters } = queuePolicies({ ...options, prefix, brokerVersion: '4.1.0' });
      const names = topologyNames(prefix);
      for (const queue of [names.sendQueue, names.retryQueue(1000), names.retryQueue(60_000)]) {
        expect(matches(jobs.pattern, queue)).toBe(true);
        expect(matches(deadLetters.pattern, queue)).toBe(false);
      }
      expect(matches(deadLetters.pattern, names.deadQueue)).toBe(true);
      expect(matches(jobs.pattern, names.deadQueue)).toBe(false);
      // Neither the events queues nor another deployment's queues (a prefix that only looks alike).
      for (const other of [
        names.eventsQueue('metrics'),
        `${prefix}Xsend`,
        `x${prefix}.send`,
        `${prefix}.send.x`,
      ]) {
        expect(matches(jobs.pattern, other)).toBe(false);
        expect(matches(deadLetters.pattern, other)).toBe(false);
      }
    },
  );
});

describe('policyDifferences', () => {
  const { jobs, deadLetters } = queuePolicies({ ...options, brokerVersion: '3.10.8' });

  it('accepts our keys with our values, and keys of an operator policy besides', () => {
    expect(policyDifferences(jobs, { ...jobs.definition, 'max-length': 100_000 })).toEqual([]);
  });

  it('names every key missing or different', () => {
    expect(policyDifferences(jobs, { overflow: 'drop-head', 'delivery-limit': 20 })).toEqual([
      'dead-letter-strategy is not set (want "at-least-once")',
      'overflow is "drop-head" (want "reject-publish")',
    ]);
  });

  it('flags a delivery limit on the dead letters of RabbitMQ 3', () => {
    expect(
      policyDifferences(deadLetters, { 'message-ttl': 604_800_000, 'delivery-limit': 20 }, [
        'delivery-limit',
      ]),
    ).toEqual(['delivery-limit is 20 (want it unset)']);
  });
});
