import type { Channel } from 'amqplib';
import { topologyNames } from './topology.js';
import { declareWorkQueue } from './work-queue.js';

/**
 * The status callbacks' own queues, apart from the send path so a slow or failing tenant endpoint
 * never holds up a code (docs/ARCHITECTURE.md). The same shape as the send path's, on the same
 * exchanges, under routing keys of their own:
 *
 *   otp.jobs (direct) --callback--> otp.callbacks --> callback worker
 *   otp.retry (direct) --callback.<delay>ms--> otp.callbacks.retry.<delay>ms (TTL) --> otp.jobs/callback
 *   otp.callbacks.dlx (fanout) --> otp.callbacks.dead (with the last error in headers)
 *
 * Its own dead-letter exchange: the send path's is a fanout that every message on it reaches.
 */
export interface CallbackTopologyNames {
  callbackRoutingKey: string;
  callbackQueue: string;
  callbackDeadExchange: string;
  callbackDeadQueue: string;
  callbackRetryRoutingKey: (delayMs: number) => string;
  callbackRetryQueue: (delayMs: number) => string;
}

export function callbackTopologyNames(prefix: string): CallbackTopologyNames {
  return {
    callbackRoutingKey: 'callback',
    callbackQueue: `${prefix}.callbacks`,
    callbackDeadExchange: `${prefix}.callbacks.dlx`,
    callbackDeadQueue: `${prefix}.callbacks.dead`,
    callbackRetryRoutingKey: (delayMs) => `callback.${delayMs}ms`,
    callbackRetryQueue: (delayMs) => `${prefix}.callbacks.retry.${delayMs}ms`,
  };
}

export async function declareCallbackTopology(
  channel: Channel,
  options: { prefix: string; queueType: 'quorum' | 'classic'; retryDelaysMs: readonly number[] },
): Promise<CallbackTopologyNames> {
  const base = topologyNames(options.prefix);
  const names = callbackTopologyNames(options.prefix);
  await channel.assertExchange(base.jobsExchange, 'direct', { durable: true });
  await channel.assertExchange(base.retryExchange, 'direct', { durable: true });
  await channel.assertExchange(names.callbackDeadExchange, 'fanout', { durable: true });
  await declareWorkQueue(channel, {
    queueType: options.queueType,
    jobsExchange: base.jobsExchange,
    routingKey: names.callbackRoutingKey,
    queue: names.callbackQueue,
    retryExchange: base.retryExchange,
    delaysMs: options.retryDelaysMs,
    retryQueue: names.callbackRetryQueue,
    retryRoutingKey: names.callbackRetryRoutingKey,
    deadExchange: names.callbackDeadExchange,
    deadQueue: names.callbackDeadQueue,
  });
  return names;
}
