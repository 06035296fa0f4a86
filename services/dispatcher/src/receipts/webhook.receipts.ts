import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { DeliveryReceipt, ReceiptRequest, ReceiptVerifier } from './delivery-receipt.js';

const bodySchema = z.object({
  id: z.union([z.string().min(1).max(128), z.number()]),
  status: z.enum(['delivered', 'undelivered', 'failed', 'expired', 'rejected', 'sent', 'queued', 'accepted']),
  errorCode: z.union([z.string().max(64), z.number()]).optional(),
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

/**
 * Receipts from an in-house gateway behind the webhook provider: JSON `{id, status, errorCode?}`
 * signed like the requests otpflow sends it, `X-Otpflow-Signature: sha256=<hex HMAC of the body>`
 * with the shared WEBHOOK_RECEIPT_SECRET.
 */
export class WebhookReceiptVerifier implements ReceiptVerifier {
  readonly provider = 'webhook';

  constructor(private readonly secret: string) {}

  verify(request: ReceiptRequest): DeliveryReceipt | undefined {
    const header = request.headers['x-otpflow-signature'];
    const presented =
      typeof header === 'string' && header.startsWith('sha256=')
        ? Buffer.from(header.slice(7), 'hex')
        : undefined;
    const expected = createHmac('sha256', this.secret).update(request.body).digest();
    if (!presented || presented.length !== expected.length || !timingSafeEqual(presented, expected))
      return undefined;
    const body = bodySchema.parse(JSON.parse(request.body));
    return {
      providerMessageId: String(body.id),
      outcome: OUTCOMES[body.status],
      vendorStatus: body.status,
      ...(body.errorCode !== undefined ? { errorCode: String(body.errorCode) } : {}),
    };
  }
}
