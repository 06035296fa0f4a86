import type { Channel, ChannelModel } from 'amqplib';
import { REQUESTED_EVENT_ROUTING_KEY } from '@otpflow/contracts';
import { declareWorkQueue } from './work-queue.js';

/**
 * The RabbitMQ topology of otpflow, in one place. Every service declares all of it on every
 * (re)connect; declarations are idempotent, so start order does not matter.
 *
 *   otp.jobs (direct) --send--> otp.send (quorum by default) --> dispatcher
 *   otp.retry (direct) --<delay>ms--> otp.send.retry.<delay>ms (TTL) --dead-letter--> otp.jobs/send
 *     (the retry ladder and the workflow step tiers: delayTiersMs)
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
  retryRoutingKey: (delayMs: number) => string;
  retryQueue: (delayMs: number) => string;
  eventsQueue: (consumer: string) => string;
}

export interface TopologyOptions {
  /** Name prefix; tests use a unique one so parallel test files never share queues. */
  prefix: string;
  /** Quorum queues replicate across a cluster; classic is for single-node development. */
  queueType: 'quorum' | 'classic';
  /** The delay ladder for retries of transient failures, in milliseconds. */
  retryDelaysMs: readonly number[];
}

/** The dispatcher's read-model projector's events queue is `<prefix>.events.projections`. */
export const PROJECTIONS_EVENTS_CONSUMER = 'projections';

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 60_000] as const;

/**
 * The delay tiers of channel workflow steps (a step's timeout waits in the smallest tier at least as
 * long, as the message's own TTL). Fixed, so every service declares the same queues; they spread the
 * 15..900 s a step may wait (MIN/MAX_STEP_TIMEOUT_SECONDS in @otpflow/contracts) so that a timeout
 * between two tiers waits behind messages of at most the next tier (RabbitMQ expires only at a queue's
 * head): a step may run late by up to the gap, never early.
 */
export const WORKFLOW_STEP_DELAYS_MS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000] as const;

/**
 * Every delay queue: the retry ladder and the workflow step tiers, ascending, each delay once. They are
 * the same kind of queue (TTL, dead-lettering back to the work queue), so a step tier that equals a
 * retry delay is one queue.
 */
export function delayTiersMs(options: Pick<TopologyOptions, 'retryDelaysMs'>): number[] {
  return [...new Set([...options.retryDelaysMs, ...WORKFLOW_STEP_DELAYS_MS])].sort((a, b) => a - b);
}

/** The step tier a timeout waits in: the smallest at least as long (the last one for anything longer). */
export function stepTierMs(timeoutMs: number): number {
  const longest = WORKFLOW_STEP_DELAYS_MS[WORKFLOW_STEP_DELAYS_MS.length - 1] ?? timeoutMs;
  return WORKFLOW_STEP_DELAYS_MS.find((tier) => tier >= timeoutMs) ?? longest;
}

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
  await channel.assertExchange(names.jobsExchange, 'direct', { durable: true });
  await channel.assertExchange(names.retryExchange, 'direct', { durable: true });
  await channel.assertExchange(names.deadExchange, 'fanout', { durable: true });
  await channel.assertExchange(names.eventsExchange, 'topic', { durable: true });
  // A send job published with the requested event's key among its BCC keys is also its code's
  // `code.requested` event (event-message.ts): one publish and one confirm for both.
  await channel.bindExchange(names.eventsExchange, names.jobsExchange, REQUESTED_EVENT_ROUTING_KEY);

  await declareWorkQueue(channel, {
    queueType: options.queueType,
    jobsExchange: names.jobsExchange,
    routingKey: names.sendRoutingKey,
    queue: names.sendQueue,
    retryExchange: names.retryExchange,
    delaysMs: delayTiersMs(options),
    retryQueue: names.retryQueue,
    retryRoutingKey: names.retryRoutingKey,
    deadExchange: names.deadExchange,
    deadQueue: names.deadQueue,
  });
  return names;
}

export interface EventsQueue {
  queue: string;
  /**
   * Whether the queue has a single active consumer, so replicas of its consumer take turns instead of
   * sharing (and each counting part of) the stream. False for a queue declared before otpflow asked
   * for it: queue arguments cannot change, see docs/deployment.md for the one-time migration.
   */
  singleActiveConsumer: boolean;
}

/** RabbitMQ's reply code for a redeclaration whose arguments differ from the existing queue's. */
const PRECONDITION_FAILED = 406;

/**
 * Declares a consumer's own durable queue on the events exchange, bound to the given patterns. With
 * `singleActiveConsumer`, every replica of the consumer subscribes and the broker delivers to one at
 * a time, the others standing by; when the active one goes, the next takes over with the messages it
 * left unacknowledged. An existing queue declared without it is used as it is (and reported).
 */
export async function declareEventsQueue(
  model: ChannelModel,
  options: TopologyOptions,
  consumer: string,
  patterns: readonly string[],
  settings: { singleActiveConsumer: boolean } = { singleActiveConsumer: false },
): Promise<EventsQueue> {
  const names = topologyNames(options.prefix);
  const queue = names.eventsQueue(consumer);
  const wanted = {
    'x-queue-type': options.queueType,
    ...(settings.singleActiveConsumer ? { 'x-single-active-consumer': true } : {}),
  };
  let singleActiveConsumer = settings.singleActiveConsumer;
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  try {
    await channel.assertQueue(queue, { durable: true, arguments: wanted });
  } catch (error) {
    if ((error as { code?: unknown }).code !== PRECONDITION_FAILED || !settings.singleActiveConsumer)
      throw error;
    // Declared by an older release without the argument: the failed declare closed the channel.
    singleActiveConsumer = false;
    const retry = await model.createChannel();
    await retry.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': options.queueType } });
    await bindAll(retry, queue, names.eventsExchange, patterns);
    await retry.close();
    return { queue, singleActiveConsumer };
  }
  await bindAll(channel, queue, names.eventsExchange, patterns);
  await channel.close();
  return { queue, singleActiveConsumer };
}

async function bindAll(
  channel: Channel,
  queue: string,
  exchange: string,
  patterns: readonly string[],
): Promise<void> {
  for (const pattern of patterns) await channel.bindQueue(queue, exchange, pattern);
}
