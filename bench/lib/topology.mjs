import { DEFAULT_RETRY_DELAYS_MS, topologyNames } from '@otpflow/amqp';

/**
 * Every queue and exchange a run's services declare under one AMQP prefix (with the default retry
 * delays and the metrics service's events queue), so a run can delete what it created.
 */
export function runTopology(prefix) {
  const names = topologyNames(prefix);
  return {
    queues: [
      names.sendQueue,
      names.deadQueue,
      ...DEFAULT_RETRY_DELAYS_MS.map((delay) => names.retryQueue(delay)),
      names.eventsQueue('metrics'),
    ],
    exchanges: [names.jobsExchange, names.retryExchange, names.deadExchange, names.eventsExchange],
  };
}
