import type { DeliveryReceipt, ReceiptRequest, ReceiptVerifier } from '../../receipts/delivery-receipt.js';
import { parseTwilioReceipt } from './twilio.receipts.js';

/** Twilio status callbacks, signed with the account's auth token over the public callback URL. */
export class TwilioReceiptVerifier implements ReceiptVerifier {
  readonly provider = 'twilio';

  constructor(private readonly authToken: string) {}

  verify(request: ReceiptRequest): DeliveryReceipt | undefined {
    const signature = request.headers['x-twilio-signature'];
    const result = parseTwilioReceipt({
      authToken: this.authToken,
      url: request.url,
      body: request.body,
      signature: typeof signature === 'string' ? signature : undefined,
    });
    if (result.ok) return result.receipt;
    if (result.reason === 'malformed') throw new Error('malformed Twilio status callback');
    return undefined;
  }
}
