import type { JobAttempt, Price, SendJob } from '@otpflow/contracts';
import {
  tryClaim,
  typedCollection,
  type ClaimModel,
  type DeliveryAttemptRecord,
  type DeliveryDocument,
  type DeliveryModel,
  type DeliveryStatus,
} from '@otpflow/mongo';
import { RECEIPT_MAY_LEAVE } from '../receipts/receipt-order.js';
import {
  attemptKey,
  failureFields,
  receiptFields,
  sentFields,
  type AttemptLease,
  type DeliveryStore,
  type FailureRecord,
  type ReceiptRecord,
  type ReceiptResult,
  type SentRecord,
} from './delivery-store.js';

/**
 * Delivery state in MongoDB. Leases are claims (a unique insert, atomic on every store, unlike
 * conditional updates on FerretDB); delivery records are upserts keyed by the job id.
 */
export class MongoDeliveryStore implements DeliveryStore {
  constructor(
    private readonly deliveries: DeliveryModel,
    private readonly claims: ClaimModel,
    private readonly settings: { leaseMs: number; tombstoneSeconds: number },
  ) {}

  private purgeAt(job: SendJob): Date {
    return new Date(Date.parse(job.expiresAt) + this.settings.tombstoneSeconds * 1000);
  }

  async takeAttempt(job: SendJob, attempt: JobAttempt): Promise<AttemptLease> {
    const key = attemptKey(job, attempt);
    const lease = () => ({ leaseUntil: new Date(Date.now() + this.settings.leaseMs) });
    if (await tryClaim(this.claims, key, this.purgeAt(job), lease())) return 'taken';
    const claims = typedCollection(this.claims);
    const existing = await claims.findOne({ _id: key });
    if (existing?.done) return 'done';
    if (existing?.leaseUntil && existing.leaseUntil > new Date()) return 'busy';
    const { deletedCount } = await claims.deleteOne({
      _id: key,
      done: { $ne: true },
      leaseUntil: { $lte: new Date() },
    });
    if (deletedCount !== 1) return 'busy';
    return (await tryClaim(this.claims, key, this.purgeAt(job), lease())) ? 'taken' : 'busy';
  }

  async finishAttempt(job: SendJob, attempt: JobAttempt): Promise<void> {
    await typedCollection(this.claims).updateOne({ _id: attemptKey(job, attempt) }, { $set: { done: true } });
  }

  async recordSent(job: SendJob, record: SentRecord): Promise<void> {
    await this.update(job, sentFields(record, new Date()), record.history);
  }

  async recordFailure(
    job: SendJob,
    status: Extract<DeliveryStatus, 'retrying' | 'dead_lettered'>,
    failure: FailureRecord,
  ): Promise<void> {
    await this.update(job, failureFields(status, failure), failure.history);
  }

  async recordSkipped(
    job: SendJob,
    status: Extract<DeliveryStatus, 'expired_before_delivery' | 'not_sent'>,
  ): Promise<void> {
    await this.update(job, { status }, []);
  }

  /**
   * One conditional update: only from a status the receipt may leave, and only if no later receipt
   * was applied (receipt-order.ts). On MongoDB that is atomic, so a receipt delivered twice at once
   * applies once; FerretDB's updates are not isolated, so two identical receipts racing there may
   * both apply (each still in order). A price the receipt brings is kept by a second conditional
   * update, only where the send's answer left none.
   */
  async recordReceipt(receipt: ReceiptRecord): Promise<ReceiptResult> {
    const deliveries = typedCollection(this.deliveries);
    const key = { provider: receipt.provider, providerMessageId: receipt.providerMessageId };
    const delivery = await deliveries.findOneAndUpdate(
      {
        ...key,
        status: { $in: [...RECEIPT_MAY_LEAVE[receipt.outcome]] },
        $or: [{ receiptAt: { $exists: false } }, { receiptAt: { $lte: receipt.at } }],
      },
      {
        $set: receiptFields(receipt, new Date()),
        ...(receipt.outcome === 'delivered' ? { $unset: { lastError: '' } } : {}),
      },
      { returnDocument: 'after' },
    );
    if (delivery) return { applied: true, delivery, ...(await this.firstPrice(delivery, receipt)) };
    const known = await deliveries.countDocuments(key, { limit: 1 });
    return { applied: false, why: known > 0 ? 'ignored' : 'unknown_message' };
  }

  private async firstPrice(
    delivery: DeliveryDocument,
    receipt: ReceiptRecord,
  ): Promise<{ priceRecorded?: Price }> {
    if (!receipt.price || delivery.price) return {};
    const { modifiedCount } = await typedCollection(this.deliveries).updateOne(
      { _id: delivery._id, price: { $exists: false } },
      { $set: { price: receipt.price } },
    );
    if (modifiedCount !== 1) return {};
    delivery.price = receipt.price;
    return { priceRecorded: receipt.price };
  }

  /** Creates the job's delivery record on its first write, and updates it after. */
  private async update(
    job: SendJob,
    fields: Partial<DeliveryDocument>,
    history: readonly DeliveryAttemptRecord[],
  ): Promise<void> {
    await typedCollection(this.deliveries).updateOne(
      { _id: job.jobId },
      {
        $set: { channel: job.channel, ...fields, updatedAt: new Date() },
        $setOnInsert: {
          authenticationId: job.authenticationId,
          clientId: job.clientId,
          countryCallingCode: job.countryCallingCode,
          requestedAt: new Date(job.createdAt),
          purgeAt: this.purgeAt(job),
        },
        ...(history.length > 0 ? { $push: { history: { $each: [...history] } } } : {}),
      },
      { upsert: true },
    );
  }
}
