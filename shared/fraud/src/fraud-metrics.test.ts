import { createLogger } from '@otpflow/telemetry';
import type { Db } from 'mongodb';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fraudEnvShape, fraudSettingsOf } from './fraud-env.js';
import { SignalFraudGuard } from './fraud-guard.js';
import { fraudBlocksGauge, fraudFailureCounter } from './fraud-metrics.js';
import { FraudStore } from './fraud-store.js';
import { InMemoryFraudStore } from './in-memory-fraud.store.js';

/** The deployment's defaults, as a service reads them from an environment without FRAUD_* settings. */
const settings = fraudSettingsOf(z.object(fraudEnvShape).parse({ FRAUD_MODE: 'enforce' }));
const logger = createLogger({ service: 'fraud-test', level: 'silent' });

describe('the fraud guard’s own metrics', () => {
  it('gauges the active blocks it applies, of ranges and of addresses, and not the expired ones', async () => {
    const store = new InMemoryFraudStore();
    const now = Date.now();
    const block = (scope: string, target: string, expiresInMs: number) =>
      store.writeBlock(
        {
          scope,
          target,
          reason: 'dense_range',
          expiresAt: new Date(now + expiresInMs),
          strikes: 1,
          purgeAt: new Date(now + 86_400_000),
        },
        new Date(now),
      );
    await block('tenant-a', '+346001234', 900_000);
    await block('tenant-b', '+3460012', 900_000);
    await block('*', '203.0.113.7', 900_000);
    await block('tenant-a', '+3361234', -1_000);
    const guard = new SignalFraudGuard(settings, store, logger, () => undefined);
    await guard.sync();
    const registry = new Registry();
    fraudBlocksGauge(registry, guard);
    const text = await registry.getSingleMetricAsString('otpflow_fraud_active_blocks');
    expect(text).toContain('otpflow_fraud_active_blocks{scope="range"} 2');
    expect(text).toContain('otpflow_fraud_active_blocks{scope="address"} 1');
  });

  it('counts a store operation that failed, every operation at zero from the start', async () => {
    const registry = new Registry();
    const unreachable = new Error('connection refused');
    const collection = {
      find: () => ({
        toArray: () => Promise.reject(unreachable),
      }),
    };
    const db = { collection: () => collection } as unknown as Db;
    const store = new FraudStore(db, () => undefined, fraudFailureCounter(registry));
    await expect(store.readRules(new Date())).rejects.toBe(unreachable);
    const text = await registry.getSingleMetricAsString('otpflow_fraud_store_failures_total');
    expect(text).toContain('otpflow_fraud_store_failures_total{operation="read_rules"} 1');
    expect(text).toContain('otpflow_fraud_store_failures_total{operation="exchange"} 0');
    expect(text).toContain('otpflow_fraud_store_failures_total{operation="write_block"} 0');
  });
});
