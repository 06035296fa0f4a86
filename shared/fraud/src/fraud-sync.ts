import type { Logger } from '@otpflow/telemetry';
import { SignalFraudGuard, type FraudOutcome } from './fraud-guard.js';
import type { FraudSettings } from './fraud-settings.js';
import type { GuardStore } from './fraud-store.js';
import { syncIsDue } from './sync-cadence.js';

/**
 * Runs a guard's sync on its timer: every FRAUD_SYNC_INTERVAL_MS a tick flushes the counts and reads
 * the shared figures and rules, when the sync is due (sync-cadence: enough sends counted to share its
 * commands, or FRAUD_SYNC_MAX_INTERVAL_MS since the last). `stop` flushes one last time, so a replica
 * that shuts down leaves its counts behind.
 */
export function startFraudGuard(
  settings: FraudSettings,
  store: GuardStore,
  logger: Logger,
  report: (outcome: FraudOutcome) => void,
  clock: () => number = Date.now,
): { guard: SignalFraudGuard; stop: () => Promise<void> } {
  const guard = new SignalFraudGuard(settings, store, logger, report, clock);
  if (settings.mode === 'off') return { guard, stop: () => Promise.resolve() };
  let lastSyncAt = clock();
  let running: Promise<void> = guard.sync();
  const timer = setInterval(() => {
    const since = { sends: guard.sendsAwaitingSync(), elapsedMs: clock() - lastSyncAt };
    if (!syncIsDue(since, settings.syncCadence)) return;
    lastSyncAt = clock();
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
