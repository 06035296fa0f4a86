import type { DeliveryStatus } from '@otpflow/mongo';

/** What a final receipt says happened to a message. */
export type FinalOutcome = 'delivered' | 'undelivered';

/**
 * The delivery statuses a receipt may move a delivery out of. `delivered` is final: a late or repeated
 * `undelivered` never takes it back, while a `delivered` after an `undelivered` wins (carriers retry).
 * Shared by both stores so they apply receipts alike.
 */
export const RECEIPT_MAY_LEAVE: Record<FinalOutcome, readonly DeliveryStatus[]> = {
  delivered: ['sent', 'undelivered'],
  undelivered: ['sent'],
};

/** What a receipt does to a delivery in a given state. */
export type ReceiptEffect = 'apply' | 'ignore';

/**
 * A receipt applies when the delivery is in a state it may leave and the receipt is not older than the
 * last one applied (receipts can arrive out of order; the older word is stale). A receipt that arrives
 * twice finds its own outcome already applied, and is ignored.
 */
export function receiptEffect(
  current: { status: DeliveryStatus; receiptAt?: Date },
  receipt: { outcome: FinalOutcome; at: Date },
): ReceiptEffect {
  if (!RECEIPT_MAY_LEAVE[receipt.outcome].includes(current.status)) return 'ignore';
  if (current.receiptAt && receipt.at.getTime() < current.receiptAt.getTime()) return 'ignore';
  return 'apply';
}
