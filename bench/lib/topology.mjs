import { topologyNames } from '@otpflow/amqp';
import { deleteTopology, runTopology, withOwnChannel } from '@otpflow/testing/topology';
import amqplib from 'amqplib';

export { deleteTopology } from '@otpflow/testing/topology';

/**
 * What a bench or soak run's services declare under one AMQP prefix: the shared harness's list (the
 * default retry tiers), the metrics service's events queue and the run's own queues, so a run can
 * delete what it created.
 */
export function benchTopology(prefix, extraQueues = []) {
  return runTopology(prefix, {
    extraQueues: [topologyNames(prefix).eventsQueue('metrics'), ...extraQueues],
  });
}

/**
 * Deletes a run's queues and exchanges from the shared broker; answers the depths its queues had
 * (named without the prefix), what the run left unconsumed.
 */
export async function removeBenchTopology(rabbitUrl, prefix) {
  const topology = benchTopology(prefix);
  const connection = await amqplib.connect(rabbitUrl);
  const depths = {};
  try {
    for (const queue of topology.queues) {
      const checked = await withOwnChannel(connection, (channel) => channel.checkQueue(queue));
      if (checked) depths[queue.slice(prefix.length + 1)] = checked.messageCount;
    }
    await deleteTopology(connection, topology);
  } finally {
    await connection.close().catch(() => undefined);
  }
  return depths;
}
