import type { Channel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { declareWorkQueue } from './work-queue.js';

/** A channel that records what is declared on it, in order. */
function recordingChannel() {
  const calls: unknown[][] = [];
  const channel = {
    assertQueue: (queue: string, options: unknown) => {
      calls.push(['queue', queue, options]);
      return Promise.resolve();
    },
    bindQueue: (queue: string, exchange: string, key: string) => {
      calls.push(['bind', queue, exchange, key]);
      return Promise.resolve();
    },
  };
  return { calls, channel: channel as unknown as Channel };
}

describe('a work queue with its retry ladder', () => {
  it('declares the queue, a TTL queue a delay that returns to it, and its dead-letter queue', async () => {
    const { calls, channel } = recordingChannel();
    await declareWorkQueue(channel, {
      queueType: 'classic',
      jobsExchange: 'p.jobs',
      routingKey: 'work',
      queue: 'p.work',
      retryExchange: 'p.retry',
      delaysMs: [1_000, 5_000],
      retryQueue: (delayMs) => `p.work.retry.${delayMs}ms`,
      retryRoutingKey: (delayMs) => `work.${delayMs}ms`,
      deadExchange: 'p.work.dlx',
      deadQueue: 'p.work.dead',
    });
    const retryArguments = (delayMs: number) => ({
      durable: true,
      arguments: {
        'x-queue-type': 'classic',
        'x-message-ttl': delayMs,
        'x-dead-letter-exchange': 'p.jobs',
        'x-dead-letter-routing-key': 'work',
      },
    });
    expect(calls).toEqual([
      [
        'queue',
        'p.work',
        { durable: true, arguments: { 'x-queue-type': 'classic', 'x-dead-letter-exchange': 'p.work.dlx' } },
      ],
      ['bind', 'p.work', 'p.jobs', 'work'],
      ['queue', 'p.work.retry.1000ms', retryArguments(1_000)],
      ['bind', 'p.work.retry.1000ms', 'p.retry', 'work.1000ms'],
      ['queue', 'p.work.retry.5000ms', retryArguments(5_000)],
      ['bind', 'p.work.retry.5000ms', 'p.retry', 'work.5000ms'],
      ['queue', 'p.work.dead', { durable: true, arguments: { 'x-queue-type': 'classic' } }],
      ['bind', 'p.work.dead', 'p.work.dlx', ''],
    ]);
  });
});
