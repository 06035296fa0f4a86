import { DEFAULT_RETRY_DELAYS_MS, delayTiersMs } from '@otpflow/amqp';
import { describe, expect, it } from 'vitest';
import { runTopology } from './topology.js';

describe('runTopology', () => {
  it('lists every queue and exchange under the prefix, with the default retry tiers', () => {
    const topology = runTopology('run-1');
    // The send path's queues and delay tiers (retries and workflow steps), then the status callbacks'
    // (their queue, dead queue, events queue, tiers), then the projector's events queue.
    const tiers = delayTiersMs({ retryDelaysMs: DEFAULT_RETRY_DELAYS_MS });
    expect(topology.queues).toHaveLength(2 + tiers.length + 3 + DEFAULT_RETRY_DELAYS_MS.length + 1);
    expect(topology.queues).toContain('run-1.events.projections');
    expect(topology.queues).toContain('run-1.callbacks.dead');
    expect(topology.exchanges).toHaveLength(5);
    for (const name of [...topology.queues, ...topology.exchanges])
      expect(name.startsWith('run-1.')).toBe(true);
  });

  it("takes the run's own retry tiers and extra queues", () => {
    const { queues } = runTopology('run-2', { retryDelaysMs: [10, 20], extraQueues: ['run-2.events.mine'] });
    const tiers = delayTiersMs({ retryDelaysMs: [10, 20] });
    expect(queues.filter((queue) => queue.includes('.retry.'))).toHaveLength(tiers.length + 2);
    expect(queues).toContain('run-2.events.mine');
  });
});
