/** A provider's word on what happened to a message after it accepted it. */
export interface DeliveryReceipt {
  providerMessageId: string;
  outcome: 'delivered' | 'undelivered' | 'pending';
  /** The vendor's own status word, bounded. */
  vendorStatus: string;
  errorCode?: string;
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
  /** `undefined` when the callback is not authentic; throws on a malformed body. */
  verify(request: ReceiptRequest): DeliveryReceipt | undefined;
}
