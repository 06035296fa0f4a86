import type { Channel } from 'amqplib';

/**
 * The RabbitMQ topology of otpflow, in one place. Every service declares all of it on every
 * (re)connect; declarations are idempotent, so start order does not matter.
 *
 *   otp.jobs (direct) --send--> otp.send (quorum by default) --> dispatcher
 *   otp.retry (direct) --<delay>ms--> otp.send.retry.<delay>ms (TTL) --dead-letter--> otp.jobs/send
 *   otp.dlx (fanout) --> otp.send.dead (with the last error in headers)
 *   otp.events (topic, routing key = event type) --> each consumer's own queue
 *
 * Retry queues are named after their delay, so changing the delays creates new queues instead of
 * failing on a redeclaration with different arguments.
 */
export interface TopologyNames {
  jobsExchange: string;
  sendRoutingKey: string;
  sendQueue: string;
  retryExchange: string;
  deadExchange: string;
  deadQueue: string;
  eventsExchange: string;
  retryRoutingKey(delayMs: number): string;
  retryQueue(delayMs: number): string;
  eventsQueue(consumer: string): string;
}

export interface TopologyOptions {
  /** Name prefix; tests use a unique one so parallel test files never share queues. */
  prefix: string;
  /** Quorum queues replicate across a cluster; classic is for single-node development. */
  queueType: 'quorum' | 'classic';
  /** The delay ladder for retries of transient failures, in milliseconds. */
  retryDelaysMs: readonly number[];
}

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 60_000] as const;

export function topologyNames(prefix: string): TopologyNames {
  return {
    jobsExchange: `${prefix}.jobs`,
    sendRoutingKey: 'send',
    sendQueue: `${prefix}.send`,
    retryExchange: `${prefix}.retry`,
    deadExchange: `${prefix}.dlx`,
    deadQueue: `${prefix}.send.dead`,
    eventsExchange: `${prefix}.events`,
    retryRoutingKey: (delayMs) => `${delayMs}ms`,
    retryQueue: (delayMs) => `${prefix}.send.retry.${delayMs}ms`,
    eventsQueue: (consumer) => `${prefix}.events.${consumer}`,
  };
}

export async function declareTopology(channel: Channel, options: TopologyOptions): Promise<TopologyNames> {
  const names = topologyNames(options.prefix);
  const queueType = { 'x-queue-type': options.queueType };

  await channel.assertExchange(names.jobsExchange, 'direct', { durable: true });
  await channel.assertExchange(names.retryExchange, 'direct', { durable: true });
  await channel.assertExchange(names.deadExchange, 'fanout', { durable: true });
  await channel.assertExchange(names.eventsExchange, 'topic', { durable: true });

  await channel.assertQueue(names.sendQueue, {
    durable: true,
    arguments: { ...queueType, 'x-dead-letter-exchange': names.deadExchange },
  });
  await channel.bindQueue(names.sendQueue, names.jobsExchange, names.sendRoutingKey);

  for (const delayMs of options.retryDelaysMs) {
    const queue = names.retryQueue(delayMs);
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        ...queueType,
        'x-message-ttl': delayMs,
        'x-dead-letter-exchange': names.jobsExchange,
        'x-dead-letter-routing-key': names.sendRoutingKey,
      },
    });
    await channel.bindQueue(queue, names.retryExchange, names.retryRoutingKey(delayMs));
  }

  await channel.assertQueue(names.deadQueue, { durable: true, arguments: queueType });
  await channel.bindQueue(names.deadQueue, names.deadExchange, '');
  return names;
}

/** Declares a consumer's own durable queue on the events exchange, bound to the given patterns. */
export async function declareEventsQueue(
  channel: Channel,
  options: TopologyOptions,
  consumer: string,
  patterns: readonly string[],
): Promise<string> {
  const names = topologyNames(options.prefix);
  const queue = names.eventsQueue(consumer);
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': options.queueType } });
  for (const pattern of patterns) await channel.bindQueue(queue, names.eventsExchange, pattern);
  return queue;
}
