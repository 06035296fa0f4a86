import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One registry per service (never prom-client's global one, so tests can run several services in one
 * process), with the process and runtime metrics every service exposes.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
