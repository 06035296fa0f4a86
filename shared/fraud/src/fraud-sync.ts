import type { Logger } from '@otpflow/telemetry';
import { SignalFraudGuard, type FraudOutcome } from './fraud-guard.js';
import type { FraudSettings } from './fraud-settings.js';
import type { GuardStore } from './fraud-store.js';

/**
 * Runs a guard's sync on its timer: counts flushed and shared figures and rules read every
 * FRAUD_SYNC_INTERVAL_MS, whatever the traffic (a sync with nothing counted writes nothing). `stop`
 * flushes one last time, so a replica that shuts down leaves its counts behind.
 */
export function startFraudGuard(
  settings: FraudSettings,
  store: GuardStore,
  logger: Logger,
  report: (outcome: FraudOutcome) => void,
): { guard: SignalFraudGuard; stop: () => Promise<void> } {
  const guard = new SignalFraudGuard(settings, store, logger, report);
  if (settings.mode === 'off') return { guard, stop: () => Promise.resolve() };
  let running: Promise<void> = guard.sync();
  const timer = setInterval(() => {
    // One sync at a time: a slow store delays the next one rather than stacking them.
    running = running.then(() => guard.sync());
  }, settings.syncIntervalMs);
  timer.unref();
  let stopped: Promise<void> | undefined;
  return {
    guard,
    stop: () => {
      stopped ??= (async () => {
        clearInterval(timer);
        await running;
        await guard.sync();
      })();
      return stopped;
    },
  };
}
