import { createLogger } from '@otpflow/telemetry';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { fraudEnvShape, fraudSettingsOf } from './fraud-env.js';
import type { FraudSettings } from './fraud-settings.js';
import type { SendFacts } from './fraud-port.js';
import { startFraudGuard } from './fraud-sync.js';
import { InMemoryFraudStore } from './in-memory-fraud.store.js';

// The deployment's defaults (as a service reads them from an empty environment), except: monitor, so
// every send is counted whatever the signals say and what is measured is the sync's cost alone; no
// conversion floor and Spain established, so sends never verified here trip no signal.
const defaults = fraudSettingsOf(z.object(fraudEnvShape).parse({}));
const settings: FraudSettings = {
  ...defaults,
  mode: 'monitor',
  thresholds: { ...defaults.thresholds, minConversion: 0 },
  establishedCountryVerified: 0,
};
const logger = createLogger({ service: 'fraud-sync-test', level: 'silent' });

let serial = 0;
const send = (): SendFacts => ({
  clientId: 'tenant-a',
  e164: `+3460${String((serial += 7919) % 10_000_000).padStart(7, '0')}`,
  countryCallingCode: '34',
  lineType: 'MOBILE',
  address: undefined,
  testNumber: false,
  tenant: undefined,
});

/** Store commands a replica spends over `seconds` at `perSecond` sends, a second at a time. */
async function commandsPerSend(perSecond: number, seconds: number) {
  const store = new InMemoryFraudStore();
  const decisions: unknown[] = [];
  const { guard, stop } = startFraudGuard(
    settings,
    store,
    logger,
    (o) => decisions.push(o),
    () => Date.now(),
  );
  await vi.advanceTimersByTimeAsync(0);
  const before = store.commands;
  for (let second = 0; second < seconds; second += 1) {
    for (let i = 0; i < perSecond; i += 1) guard.assess(send());
    await vi.advanceTimersByTimeAsync(1000);
  }
  const spent = store.commands - before;
  await stop();
  // No decision was taken, so no block was written: every command counted is a sync's.
  expect(decisions).toEqual([]);
  return { spent, perSend: perSecond > 0 ? spent / (perSecond * seconds) : undefined };
}

describe('startFraudGuard: the sync cadence', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    // The start of a bucket, so no bucket ends (and no send matures) within a measurement.
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a quiet replica at the commands budget: 5 sends a second cost at most 0.2 commands each', async () => {
    const { perSend } = await commandsPerSend(5, 60);
    expect(perSend).toBeLessThanOrEqual(0.2);
    expect(perSend).toBeGreaterThan(0);
  });

  it('syncs every tick when busy: 30 sends a second, one sync (three commands) a second', async () => {
    const { spent } = await commandsPerSend(30, 20);
    expect(spent).toBe(20 * 3);
  });

  it('still syncs an idle replica, once per longest interval (its rules read)', async () => {
    const { spent } = await commandsPerSend(0, 60);
    expect(spent).toBe(6);
  });
});
