import type { JobAttempt, SendJob } from '@otpflow/contracts';
import type { DeliveryAttemptRecord, DeliveryDocument } from '@otpflow/mongo';
import { systemClock, type Clock } from '../clock.js';
import { receiptEffect } from '../receipts/receipt-order.js';
import { DeliveryRecordWriter } from './delivery-record-writer.js';
import {
  attemptKey,
  creationFields,
  receiptFields,
  type AttemptLease,
  type DeliveryStore,
  type ReceiptRecord,
  type ReceiptResult,
} from './delivery-store.js';

/**
 * Delivery state in memory, with the MongoDB store's rules (leases, upserted records, receipts in
 * order), for unit and component tests. `failWith` makes every call fail, as an unreachable database.
 */
export class MemoryDeliveryStore extends DeliveryRecordWriter implements DeliveryStore {
  readonly deliveries = new Map<string, DeliveryDocument>();
  private readonly leases = new Map<string, { until: number; done: boolean }>();
  /** While set, every operation rejects with it: the database is down. */
  failWith: Error | undefined;

  constructor(
    private readonly settings: { leaseMs: number; tombstoneSeconds: number } = {
      leaseMs: 60_000,
      tombstoneSeconds: 86_400,
    },
    private readonly clock: Clock = systemClock,
  ) {
    super();
  }

  protected now(): Date {
    return this.clock.now();
  }

  private async available(): Promise<void> {
    await Promise.resolve();
    if (this.failWith) throw this.failWith;
  }

  async takeAttempt(job: SendJob, attempt: JobAttempt): Promise<AttemptLease> {
    await this.available();
    const key = attemptKey(job, attempt);
    const now = this.clock.now().getTime();
    const existing = this.leases.get(key);
    if (existing?.done) return 'done';
    if (existing && existing.until > now) return 'busy';
    this.leases.set(key, { until: now + this.settings.leaseMs, done: false });
    return 'taken';
  }

  async releaseAttempt(job: SendJob, attempt: JobAttempt): Promise<void> {
    await this.available();
    const key = attemptKey(job, attempt);
    if (this.leases.get(key)?.done === false) this.leases.delete(key);
  }

  async finishAttempt(job: SendJob, attempt: JobAttempt): Promise<void> {
    await this.available();
    const lease = this.leases.get(attemptKey(job, attempt));
    if (lease) lease.done = true;
  }

  async recordReceipt(receipt: ReceiptRecord): Promise<ReceiptResult> {
    await this.available();
    const delivery = [...this.deliveries.values()].find(
      (candidate) =>
        candidate.provider === receipt.provider && candidate.providerMessageId === receipt.providerMessageId,
    );
    if (!delivery) return { applied: false, why: 'unknown_message' };
    if (receiptEffect(delivery, receipt) === 'ignore') return { applied: false, why: 'ignored' };
    if (receipt.outcome === 'delivered') delete delivery.lastError;
    Object.assign(delivery, receiptFields(receipt, this.clock.now()));
    const priceRecorded = receipt.price && !delivery.price ? receipt.price : undefined;
    if (priceRecorded) delivery.price = priceRecorded;
    return {
      applied: true,
      delivery: structuredClone(delivery),
      ...(priceRecorded ? { priceRecorded } : {}),
    };
  }

  protected async update(
    job: SendJob,
    fields: Partial<DeliveryDocument>,
    history: readonly DeliveryAttemptRecord[],
  ): Promise<void> {
    await this.available();
    const now = this.clock.now();
    const existing = this.deliveries.get(job.jobId) ?? {
      _id: job.jobId,
      ...creationFields(job, this.settings.tombstoneSeconds),
      channel: job.channel,
      status: 'queued' as const,
      updatedAt: now,
    };
    this.deliveries.set(job.jobId, {
      ...existing,
      channel: job.channel,
      ...fields,
      updatedAt: now,
      ...(history.length > 0 ? { history: [...(existing.history ?? []), ...history] } : {}),
    });
  }
}
