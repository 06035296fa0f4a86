import { createHmac } from 'node:crypto';
import { z } from 'zod';
import {
  boundedReceiptCode,
  sameSignature,
  withinWindow,
  type DeliveryReceipt,
  type ReceiptRequest,
  type ReceiptVerifier,
  type ReceiptWindow,
} from './delivery-receipt.js';

const bodySchema = z.object({
  id: z.union([z.string().min(1).max(128), z.number()]),
  status: z.enum(['delivered', 'undelivered', 'failed', 'expired', 'rejected', 'sent', 'queued', 'accepted']),
  errorCode: z.union([z.string().max(256), z.number()]).optional(),
});

const OUTCOMES: Record<z.infer<typeof bodySchema>['status'], DeliveryReceipt['outcome']> = {
  delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'undelivered',
  expired: 'undelivered',
  rejected: 'undelivered',
  sent: 'pending',
  queued: 'pending',
  accepted: 'pending',
};

/** Unix seconds, as the timestamp header carries them. */
const TIMESTAMP = /^\d{1,12}$/;

/**
 * Receipts from an in-house gateway behind the webhook provider: JSON `{id, status, errorCode?}`,
 * `X-Otpflow-Timestamp: <unix seconds>` and `X-Otpflow-Signature: sha256=<hex HMAC of
 * "<timestamp>.<body>">` with the shared WEBHOOK_RECEIPT_SECRET. A receipt whose timestamp is further
 * than the tolerance from now is refused, so a captured receipt cannot be replayed later; within the
 * window the delivery's state rules (receipt-order.ts) make a repeat change nothing.
 */
export class WebhookReceiptVerifier implements ReceiptVerifier {
  readonly provider = 'webhook';

  constructor(
    private readonly secret: string,
    private readonly window: ReceiptWindow,
  ) {}

  verify(request: ReceiptRequest): DeliveryReceipt | undefined {
    const timestamp = request.headers['x-otpflow-timestamp'];
    if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) return undefined;
    const header = request.headers['x-otpflow-signature'];
    const presented =
      typeof header === 'string' && header.startsWith('sha256=')
        ? Buffer.from(header.slice(7), 'hex')
        : undefined;
    const expected = createHmac('sha256', this.secret).update(`${timestamp}.${request.body}`).digest();
    if (!sameSignature(presented, expected)) return undefined;
    const at = withinWindow(timestamp, this.window);
    if (!at) return undefined;
    const body = bodySchema.parse(JSON.parse(request.body));
    return {
      providerMessageId: String(body.id),
      outcome: OUTCOMES[body.status],
      vendorStatus: body.status,
      at,
      ...(body.errorCode !== undefined ? { errorCode: boundedReceiptCode(body.errorCode) } : {}),
    };
  }
}
