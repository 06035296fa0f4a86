import type { OtpEvent } from '@otpflow/contracts';
import { bucketChanges } from './hourly-contribution.js';
import { KeyedSerial } from './keyed-serial.js';
import type { ProjectionStore } from './projection-store.js';
import { applyEvent, sameRecord, type VerificationRecord } from './verification-record.js';

export interface ProjectorSettings {
  /** How long a verification's record is kept after its creation. */
  recordRetentionMs: number;
  /** How long an hourly bucket is kept after its hour. */
  bucketRetentionMs: number;
  /** Lost compare-and-sets in a row before the event is given back to the broker. */
  maxConflicts?: number;
}

export type ProjectionOutcome = 'applied' | 'duplicate';

/** Another writer kept winning the record: the event goes back to the queue, to be folded later. */
export class ProjectionConflictError extends Error {
  readonly retryable = true;
}

/**
 * Keeps the read models from the events: folds an event into its verification's record
 * (compare-and-set, retried on a lost race), then adds the difference it made to the hourly buckets.
 * An event already folded in (a redelivery, a duplicate publish) changes no record, so it adds
 * nothing: the buckets count each verification once, by its facts, not by its events. The record is
 * written before the buckets: a process that dies between the two leaves that event's increment out
 * (counts err low, never high; docs/data-model.md).
 */
export class Projector {
  /** Events of one verification are folded one at a time in this process: fewer lost races. */
  private readonly records = new KeyedSerial();
  /**
   * A bucket takes one increment at a time from this process: on a store whose updates are not
   * atomic (FerretDB, with one active projector) concurrent `$inc`s of one bucket could lose one.
   */
  private readonly buckets = new KeyedSerial();

  constructor(
    private readonly store: ProjectionStore,
    private readonly settings: ProjectorSettings,
  ) {}

  project(event: OtpEvent): Promise<ProjectionOutcome> {
    return this.records.run(event.authenticationId, () => this.fold(event));
  }

  private async fold(event: OtpEvent): Promise<ProjectionOutcome> {
    const maxConflicts = this.settings.maxConflicts ?? 5;
    for (let conflicts = 0; conflicts <= maxConflicts; conflicts += 1) {
      const stored = await this.store.read(event.clientId, event.authenticationId);
      const before: VerificationRecord | null = stored ? withoutVersion(stored) : null;
      const after = applyEvent(before, event, this.settings.recordRetentionMs);
      if (before && sameRecord(before, after)) return 'duplicate';
      if (!(await this.store.write(after, stored?.version ?? 0))) continue;
      for (const change of bucketChanges(before, after)) {
        const purgeAt = new Date(change.key.hour.getTime() + this.settings.bucketRetentionMs);
        await this.buckets.run(change.id, () => this.store.increment(change, purgeAt));
      }
      return 'applied';
    }
    throw new ProjectionConflictError(`verification ${event.authenticationId}: too many concurrent writers`);
  }
}

function withoutVersion(stored: VerificationRecord & { version: number }): VerificationRecord {
  const { version: _version, ...record } = stored;
  return record;
}
