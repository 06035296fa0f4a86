import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './metrics.js';

describe('createMetricsRegistry', () => {
  it('exposes the runtime metrics, the event-loop lag among them, without the misnamed gauges', async () => {
    const registry = createMetricsRegistry();
    const names = (await registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).not.toContain('nodejs_active_handles_total');
    expect(names).not.toContain('nodejs_active_requests_total');
    expect(names).not.toContain('nodejs_active_resources_total');
  });

  it('gives each service a registry of its own', () => {
    expect(createMetricsRegistry()).not.toBe(createMetricsRegistry());
  });
});
