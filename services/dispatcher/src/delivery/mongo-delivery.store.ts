import type { JobAttempt, SendJob } from '@otpflow/contracts';
import {
  tryClaim,
  typedCollection,
  type ClaimModel,
  type DeliveryAttemptRecord,
  type DeliveryDocument,
  type DeliveryModel,
  type DeliveryReceiptKeyModel,
} from '@otpflow/mongo';
import {
  attemptKey,
  creationFields,
  purgeAt,
  type AttemptLease,
  type DeliveryStore,
  type ReceiptRecord,
  type ReceiptResult,
  type SentRecord,
} from './delivery-store.js';
import { DeliveryRecordWriter } from './delivery-record-writer.js';
import { MongoReceipts } from './mongo-receipts.js';

/**
 * Delivery state in MongoDB. Leases are claims (a unique insert, atomic on every store, unlike
 * conditional updates on FerretDB); delivery records are upserts keyed by the job id; receipts find
 * theirs by a receipt key (mongo-receipts.ts).
 */
export class MongoDeliveryStore extends DeliveryRecordWriter implements DeliveryStore {
  private readonly deliveries: DeliveryModel;
  private readonly claims: ClaimModel;
  private readonly receipts: MongoReceipts;

  constructor(
    models: { deliveries: DeliveryModel; receiptKeys: DeliveryReceiptKeyModel; claims: ClaimModel },
    private readonly settings: {
      leaseMs: number;
      tombstoneSeconds: number;
      atomicConditionalUpdates: boolean;
    },
  ) {
    super();
    this.deliveries = models.deliveries;
    this.claims = models.claims;
    this.receipts = new MongoReceipts(
      models.deliveries,
      models.receiptKeys,
      settings.atomicConditionalUpdates,
    );
  }

  protected now(): Date {
    return new Date();
  }

  private purgeAt(job: SendJob): Date {
    return purgeAt(job, this.settings.tombstoneSeconds);
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

  async releaseAttempt(job: SendJob, attempt: JobAttempt): Promise<void> {
    await typedCollection(this.claims).deleteOne({ _id: attemptKey(job, attempt), done: { $ne: true } });
  }

  async finishAttempt(job: SendJob, attempt: JobAttempt): Promise<void> {
    await typedCollection(this.claims).updateOne({ _id: attemptKey(job, attempt) }, { $set: { done: true } });
  }

  override async recordSent(job: SendJob, record: SentRecord): Promise<void> {
    await super.recordSent(job, record);
    // After the record: a receipt that finds the key finds the delivery sent.
    if (record.providerMessageId)
      await this.receipts.keep(record.provider, record.providerMessageId, job.jobId, this.purgeAt(job));
  }

  /** Applies a receipt once and in order (receipt-order.ts): see mongo-receipts.ts. */
  recordReceipt(receipt: ReceiptRecord): Promise<ReceiptResult> {
    return this.receipts.apply(receipt);
  }

  /** Creates the job's delivery record on its first write, and updates it after. */
  protected async update(
    job: SendJob,
    fields: Partial<DeliveryDocument>,
    history: readonly DeliveryAttemptRecord[],
  ): Promise<void> {
    await typedCollection(this.deliveries).updateOne(
      { _id: job.jobId },
      {
        $set: { channel: job.channel, ...fields, updatedAt: new Date() },
        $setOnInsert: creationFields(job, this.settings.tombstoneSeconds),
        ...(history.length > 0 ? { $push: { history: { $each: [...history] } } } : {}),
      },
      { upsert: true },
    );
  }
}
