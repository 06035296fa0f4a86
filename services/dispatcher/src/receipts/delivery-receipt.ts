/** A provider's word on what happened to a message after it accepted it. */
export interface DeliveryReceipt {
  providerMessageId: string;
  outcome: 'delivered' | 'undelivered' | 'pending';
  /** The vendor's own status word, bounded. */
  vendorStatus: string;
  /** Bounded (see boundedReceiptCode). */
  errorCode?: string;
  /** When the provider says it happened, for receipts that carry a signed time. */
  at?: Date;
}

/** The raw callback, as the receipt endpoint got it. */
export interface ReceiptRequest {
  /** The full public URL the provider called (signatures may cover it). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One per provider that sends receipts: authenticates the callback, then reads it. */
export interface ReceiptVerifier {
  readonly provider: string;
  /** `undefined` when the callback is not authentic (or too old); throws on a malformed body. */
  verify(request: ReceiptRequest): DeliveryReceipt | undefined;
}

/**
 * A vendor's error code as it may be stored and become part of a metric label: short letters, digits
 * and `_.-`, anything else `other`. Vendors' codes are numbers or short words; free text is not a code.
 */
export function boundedReceiptCode(value: string | number): string {
  const text = String(value);
  return /^[A-Za-z0-9_.-]{1,32}$/.test(text) ? text : 'other';
}
