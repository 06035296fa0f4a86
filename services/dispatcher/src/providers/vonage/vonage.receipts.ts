import { createHash, createHmac } from 'node:crypto';
import { priceOf } from '@otpflow/contracts';
import {
  boundedReceiptCode,
  jsonObjectBody,
  sameSignature,
  withinWindow,
  type DeliveryReceipt,
  type ReceiptRequest,
  type ReceiptVerifier,
  type ReceiptWindow,
} from '../../receipts/delivery-receipt.js';

/** The signing methods of Vonage's signed SMS webhooks, as its dashboard names them. */
export const VONAGE_SIGNATURE_METHODS = [
  'md5hash',
  'md5hmac',
  'sha1hmac',
  'sha256hmac',
  'sha512hmac',
] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

const HMAC_DIGEST: Record<Exclude<VonageSignatureMethod, 'md5hash'>, string> = {
  md5hmac: 'md5',
  sha1hmac: 'sha1',
  sha256hmac: 'sha256',
  sha512hmac: 'sha512',
};

/**
 * The `sig` of a signed Vonage SMS API request or webhook: every parameter but `sig`, sorted by name,
 * written `&name=value` with any `&` or `=` in a value turned into `_`; then MD5 of that string and
 * the secret (`md5hash`, the dashboard's default) or an HMAC of it keyed by the secret. Lower-case hex.
 */
export function vonageSignature(
  params: Readonly<Record<string, string>>,
  secret: string,
  method: VonageSignatureMethod,
): string {
  const signed = Object.keys(params)
    .filter((name) => name !== 'sig')
    .sort()
    .map((name) => `&${name}=${(params[name] ?? '').replace(/[&=]/g, '_')}`)
    .join('');
  return method === 'md5hash'
    ? createHash('md5')
        .update(signed + secret, 'utf8')
        .digest('hex')
    : createHmac(HMAC_DIGEST[method], secret).update(signed, 'utf8').digest('hex');
}

/** A DLR's `status`: `delivered` is final and good; expired, failed, rejected final and bad. */
const OUTCOMES: Record<string, DeliveryReceipt['outcome']> = {
  delivered: 'delivered',
  expired: 'undelivered',
  failed: 'undelivered',
  rejected: 'undelivered',
  // Intermediate (accepted by the carrier, buffered) or not known: no final word yet.
  accepted: 'pending',
  buffered: 'pending',
  unknown: 'pending',
};

/** The DLR's fields, from a form body (POST) or a JSON one (POST-JSON): all values as text. */
function paramsOf(request: ReceiptRequest): Record<string, string> {
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('application/json')) {
    return Object.fromEntries(
      Object.entries(jsonObjectBody(request.body, 'a Vonage DLR'))
        .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
        .map(([name, value]) => [name, String(value)]),
    );
  }
  return Object.fromEntries(new URLSearchParams(request.body));
}

/**
 * Delivery receipts (DLRs) of the Vonage SMS API, as a signed webhook (Vonage enables signed
 * webhooks on request; otpflow takes no unsigned DLR): the `sig` parameter over all the others with
 * the account's signature secret and method, and the signed `timestamp` within the tolerance of now,
 * so a captured DLR cannot be replayed later. The signed time also orders the DLRs of one message.
 * The DLR's `price` is in the account's currency, which Vonage does not name: the deployment does
 * (VONAGE_PRICE_CURRENCY).
 */
export class VonageReceiptVerifier implements ReceiptVerifier {
  readonly provider = 'vonage';

  constructor(
    private readonly settings: { secret: string; method: VonageSignatureMethod; currency: string },
    private readonly window: ReceiptWindow,
  ) {}

  verify(request: ReceiptRequest): DeliveryReceipt | undefined {
    const params = paramsOf(request);
    const presented = Buffer.from(params.sig ?? '', 'hex');
    const expected = Buffer.from(vonageSignature(params, this.settings.secret, this.settings.method), 'hex');
    // Hex compares in either case.
    if (!sameSignature(presented, expected)) return undefined;
    const at = withinWindow(params.timestamp, this.window);
    if (!at) return undefined;
    const { messageId, status } = params;
    if (!messageId || !status) throw new Error('a Vonage DLR without messageId or status');
    const outcome = OUTCOMES[status] ?? 'pending';
    const errorCode = params['err-code'];
    const price = priceOf(params.price, this.settings.currency);
    return {
      providerMessageId: messageId,
      outcome,
      vendorStatus: boundedReceiptCode(status),
      at,
      ...(outcome === 'undelivered' && errorCode ? { errorCode: boundedReceiptCode(errorCode) } : {}),
      ...(price ? { price } : {}),
    };
  }
}
