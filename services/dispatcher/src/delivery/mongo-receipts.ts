import {
  receiptKeyOf,
  typedCollection,
  type DeliveryDocument,
  type DeliveryModel,
  type DeliveryReceiptKeyModel,
} from '@otpflow/mongo';
import { RECEIPT_MAY_LEAVE, receiptEffect } from '../receipts/receipt-order.js';
import { receiptFields, type ReceiptRecord, type ReceiptResult } from './delivery-store.js';

/**
 * Receipts in MongoDB, every lookup by `_id`: the receipt key (`<provider>#<message id>`) names the
 * job, and the delivery is read or updated by the job id. Then, by what the store can do:
 * - atomic conditional updates (MongoDB): one findOneAndUpdate by the job id, only from a status the
 *   receipt may leave and only if no later receipt was applied (receipt-order.ts), so a receipt
 *   delivered twice at once applies once;
 * - none (FerretDB, whose updates are not isolated and which scans for any filter beyond `_id`): the
 *   delivery read by id, the same rule decided in code, and an update by id. Two identical receipts
 *   racing there may both apply (each still in order); every command stays one document by key.
 */
export class MongoReceipts {
  constructor(
    private readonly deliveries: DeliveryModel,
    private readonly receiptKeys: DeliveryReceiptKeyModel,
    private readonly atomicConditionalUpdates: boolean,
  ) {}

  /** Lets a receipt for this message find its delivery, until the delivery is purged. */
  async keep(provider: string, providerMessageId: string, jobId: string, purgeAt: Date): Promise<void> {
    await typedCollection(this.receiptKeys).updateOne(
      { _id: receiptKeyOf(provider, providerMessageId) },
      { $set: { jobId, purgeAt } },
      { upsert: true },
    );
  }

  async apply(receipt: ReceiptRecord): Promise<ReceiptResult> {
    const key = await typedCollection(this.receiptKeys).findOne({
      _id: receiptKeyOf(receipt.provider, receipt.providerMessageId),
    });
    if (!key) return { applied: false, why: 'unknown_message' };
    return this.atomicConditionalUpdates
      ? this.applyConditionally(key.jobId, receipt)
      : this.applyAfterReading(key.jobId, receipt);
  }

  private async applyConditionally(jobId: string, receipt: ReceiptRecord): Promise<ReceiptResult> {
    const deliveries = typedCollection(this.deliveries);
    const delivery = await deliveries.findOneAndUpdate(
      {
        _id: jobId,
        provider: receipt.provider,
        status: { $in: [...RECEIPT_MAY_LEAVE[receipt.outcome]] },
        $or: [{ receiptAt: { $exists: false } }, { receiptAt: { $lte: receipt.at } }],
      },
      {
        $set: receiptFields(receipt, new Date()),
        ...(receipt.outcome === 'delivered' ? { $unset: { lastError: '' } } : {}),
      },
      { returnDocument: 'after' },
    );
    if (!delivery) {
      const known = await deliveries.findOne({ _id: jobId }, { projection: { _id: 1 } });
      return { applied: false, why: known ? 'ignored' : 'unknown_message' };
    }
    if (!receipt.price || delivery.price) return { applied: true, delivery };
    // The receipt's price, only where the send's answer left none: a second conditional update.
    const { modifiedCount } = await deliveries.updateOne(
      { _id: jobId, price: { $exists: false } },
      { $set: { price: receipt.price } },
    );
    return modifiedCount === 1
      ? { applied: true, delivery: { ...delivery, price: receipt.price }, priceRecorded: receipt.price }
      : { applied: true, delivery };
  }

  private async applyAfterReading(jobId: string, receipt: ReceiptRecord): Promise<ReceiptResult> {
    const deliveries = typedCollection(this.deliveries);
    const current = await deliveries.findOne({ _id: jobId });
    if (!current) return { applied: false, why: 'unknown_message' };
    if (current.provider !== receipt.provider || receiptEffect(current, receipt) === 'ignore')
      return { applied: false, why: 'ignored' };
    const priceRecorded = receipt.price && !current.price ? receipt.price : undefined;
    const fields = {
      ...receiptFields(receipt, new Date()),
      ...(priceRecorded ? { price: priceRecorded } : {}),
    };
    await deliveries.updateOne(
      { _id: jobId },
      { $set: fields, ...(receipt.outcome === 'delivered' ? { $unset: { lastError: '' } } : {}) },
    );
    const delivery: DeliveryDocument = { ...current, ...fields };
    if (receipt.outcome === 'delivered') delete delivery.lastError;
    return { applied: true, delivery, ...(priceRecorded ? { priceRecorded } : {}) };
  }
}
