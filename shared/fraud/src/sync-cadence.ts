/**
 * When a replica's guard syncs with the store. A sync costs up to three store commands (flush the
 * counts, read back the shared ones, read the rules) whatever it carries, so syncing every tick would
 * cost an idle or quiet replica more commands than it has sends. A tick syncs once enough sends were
 * counted to share that cost (FRAUD_SYNC_AFTER_SENDS: 15 keeps it at 0.2 commands a send), or once the
 * longest interval passed (FRAUD_SYNC_MAX_INTERVAL_MS), so a quiet replica still shares its counts and
 * learns the others' blocks within that time.
 */
export interface SyncCadence {
  /** Sends counted since the last sync that make the next tick sync. */
  afterSends: number;
  /** The longest a replica goes without syncing, whatever its traffic. */
  maxIntervalMs: number;
}

export function syncIsDue(since: { sends: number; elapsedMs: number }, cadence: SyncCadence): boolean {
  return since.sends >= cadence.afterSends || since.elapsedMs >= cadence.maxIntervalMs;
}
