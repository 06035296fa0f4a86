import { topologyNames } from '@otpflow/amqp';
import { runTopology } from '@otpflow/testing/topology';

export { deleteTopology } from '@otpflow/testing/topology';

/**
 * What a bench or soak run's services declare under one AMQP prefix: the shared harness's list (the
 * default retry tiers) and the metrics service's events queue, so a run can delete what it created.
 */
export function benchTopology(prefix) {
  return runTopology(prefix, { extraQueues: [topologyNames(prefix).eventsQueue('metrics')] });
}
