import {
  callbackTopologyNames,
  DEFAULT_RETRY_DELAYS_MS,
  delayTiersMs,
  PROJECTIONS_EVENTS_CONSUMER,
  topologyNames,
} from '@otpflow/amqp';
import type { Channel, ChannelModel } from 'amqplib';

/** The queues and exchanges a run's services declare under one prefix. */
export interface RunTopology {
  queues: string[];
  exchanges: string[];
}

/**
 * Every queue and exchange the services declare under `prefix` (the delay tiers: the retry ladder of
 * `retryDelaysMs`, the defaults when none are given, and the workflow step tiers; the projector's events queue; a dispatcher runs the status callbacks with the same tiers, as
 * CALLBACK_RETRY_DELAYS_MS in the test stack's env), plus `extraQueues` (a test's or a run's own consumers), so that
 * what a run created can be deleted. The one list the tests, the bench and the soak tear down.
 */
export function runTopology(
  prefix: string,
  {
    retryDelaysMs = [],
    extraQueues = [],
  }: { retryDelaysMs?: readonly number[]; extraQueues?: readonly string[] } = {},
): RunTopology {
  const names = topologyNames(prefix);
  const callbacks = callbackTopologyNames(prefix);
  const delays = retryDelaysMs.length > 0 ? retryDelaysMs : DEFAULT_RETRY_DELAYS_MS;
  return {
    queues: [
      names.sendQueue,
      names.deadQueue,
      ...delayTiersMs({ retryDelaysMs: delays }).map((delay) => names.retryQueue(delay)),
      callbacks.callbackQueue,
      callbacks.callbackDeadQueue,
      names.eventsQueue('callbacks'),
      ...delays.map((delay) => callbacks.callbackRetryQueue(delay)),
      // Every dispatcher declares its projector's events queue.
      names.eventsQueue(PROJECTIONS_EVENTS_CONSUMER),
      ...extraQueues,
    ],
    exchanges: [
      names.jobsExchange,
      names.retryExchange,
      names.deadExchange,
      names.eventsExchange,
      callbacks.callbackDeadExchange,
    ],
  };
}

/**
 * Deletes the queues, then the exchanges, on an open connection. A failed delete (what does not
 * exist, or is in use) closes its channel, so each gets a channel of its own: one failure stops nothing.
 */
export async function deleteTopology(
  connection: ChannelModel,
  { queues, exchanges }: RunTopology,
): Promise<void> {
  for (const queue of queues) await withOwnChannel(connection, (channel) => channel.deleteQueue(queue));
  for (const exchange of exchanges)
    await withOwnChannel(connection, (channel) => channel.deleteExchange(exchange));
}

/**
 * Runs one broker operation on a channel of its own and answers its result, or undefined when it
 * failed (a queue that is not there closes the channel it was asked on; nothing else is affected).
 */
export async function withOwnChannel<T>(
  connection: ChannelModel,
  action: (channel: Channel) => Promise<T>,
): Promise<T | undefined> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  const result = await action(channel).catch(() => undefined);
  await channel.close().catch(() => undefined);
  return result;
}
