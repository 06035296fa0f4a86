import { createHash, timingSafeEqual } from 'node:crypto';
import {
  boundedReceiptCode,
  jsonObjectBody,
  type DeliveryReceipt,
  type ReceiptRequest,
  type ReceiptVerifier,
} from '../../receipts/delivery-receipt.js';

/**
 * The `status` of Octopush's acknowledgement-of-receipt callback (SMS, and the voice SMS statuses).
 * DELIVERED is final and good; the refusals final and bad (the status itself is the error code); an
 * ACK, an unknown delivery or a status Octopush adds later is no final word.
 */
const OUTCOMES: Record<string, DeliveryReceipt['outcome']> = {
  DELIVERED: 'delivered',
  NOT_DELIVERED: 'undelivered',
  NOT_ALLOWED: 'undelivered',
  BAD_DESTINATION: 'undelivered',
  BLACKLISTED_NUMBER: 'undelivered',
  NOT_DELIVERABLE: 'undelivered',
  BUSY: 'undelivered',
  REFUSED: 'undelivered',
  ACK: 'pending',
  UNKNOWN_DELIVERY: 'pending',
  UNDEFINED: 'pending',
};

/** The callback's fields, from its JSON body (or a form, which some account settings send). */
function fieldsOf(request: ReceiptRequest): Record<string, unknown> {
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(request.body));
  return jsonObjectBody(request.body, 'an Octopush callback');
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Octopush's acknowledgement-of-receipt callback (`message_id` is the ticket its send answered,
 * `status`, `delivery_date`, the number, the channel). Octopush documents no signature for it, so the
 * callback URL it is given carries a secret token (`?token=`, OCTOPUSH_RECEIPT_TOKEN), compared in
 * constant time: a callback without it is refused. Its `delivery_date` names no time zone, so receipts
 * are ordered by arrival (receipt-order.ts keeps a delivered message delivered either way).
 */
export class OctopushReceiptVerifier implements ReceiptVerifier {
  readonly provider = 'octopush';
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  verify(request: ReceiptRequest): DeliveryReceipt | undefined {
    const token = new URL(request.url).searchParams.get('token');
    // Digests of equal length: the comparison time says nothing about the token, not even its length.
    if (token === null || !timingSafeEqual(digest(token), this.expected)) return undefined;
    const fields = fieldsOf(request);
    const id = fields.message_id;
    const status = fields.status;
    if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '' || typeof status !== 'string')
      throw new Error('an Octopush callback without message_id or status');
    const outcome = OUTCOMES[status] ?? 'pending';
    return {
      providerMessageId: String(id),
      outcome,
      vendorStatus: boundedReceiptCode(status),
      ...(outcome === 'undelivered' ? { errorCode: boundedReceiptCode(status) } : {}),
    };
  }
}
