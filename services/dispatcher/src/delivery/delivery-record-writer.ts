import type { SendJob } from '@otpflow/contracts';
import type { DeliveryAttemptRecord, DeliveryDocument, DeliveryStatus } from '@otpflow/mongo';
import {
  failureFields,
  sentFields,
  type FailureRecord,
  type FailureStatus,
  type SentRecord,
} from './delivery-store.js';

/**
 * What each outcome writes on a job's delivery record, for both stores: a store says how a record is
 * written (`update`: created on the job's first write, its history appended) and what time it is.
 */
export abstract class DeliveryRecordWriter {
  protected abstract update(
    job: SendJob,
    fields: Partial<DeliveryDocument>,
    history: readonly DeliveryAttemptRecord[],
  ): Promise<void>;

  protected abstract now(): Date;

  async recordSent(job: SendJob, record: SentRecord): Promise<void> {
    await this.update(job, sentFields(record, this.now()), record.history);
  }

  async recordFailure(job: SendJob, status: FailureStatus, failure: FailureRecord): Promise<void> {
    await this.update(job, failureFields(status, failure), failure.history);
  }

  async recordSkipped(
    job: SendJob,
    status: Extract<DeliveryStatus, 'expired_before_delivery' | 'not_sent'>,
  ): Promise<void> {
    await this.update(job, { status }, []);
  }
}
