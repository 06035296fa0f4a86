import { Counter, Gauge, type Registry } from 'prom-client';
import type { StoreOperation } from './fraud-store.js';

/**
 * otpflow_fraud_active_blocks: the blocks a replica applies now, of tenants' ranges and of end-user
 * addresses, read at each scrape. Every replica reads the same shared rules, so they agree within a sync.
 */
export function fraudBlocksGauge(
  registry: Registry,
  guard: { activeBlocks(): { range: number; address: number } },
): void {
  new Gauge({
    name: 'otpflow_fraud_active_blocks',
    help: 'Blocks the fraud guard applies now, by scope (range: one tenant range; address: an IP or network)',
    labelNames: ['scope'] as const,
    registers: [registry],
    collect() {
      const active = guard.activeBlocks();
      this.set({ scope: 'range' }, active.range);
      this.set({ scope: 'address' }, active.address);
    },
  });
}

/**
 * otpflow_fraud_store_failures_total: the guard's commands that failed, by operation. While its syncs
 * fail, a replica decides on its own counts alone and applies no new block of another replica.
 */
export function fraudFailureCounter(registry: Registry): (operation: StoreOperation) => void {
  const counter = new Counter({
    name: 'otpflow_fraud_store_failures_total',
    help: 'Fraud guard store operations that failed (counter syncs, rule reads, block writes)',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  // Every series from the start: the alert on them reads a zero, not an absent series.
  for (const operation of ['exchange', 'read_rules', 'write_block'] as const) counter.inc({ operation }, 0);
  return (operation) => counter.inc({ operation });
}
