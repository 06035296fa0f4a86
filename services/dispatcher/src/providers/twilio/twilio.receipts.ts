import { createHmac } from 'node:crypto';
import { sameSignature, type DeliveryReceipt } from '../../receipts/delivery-receipt.js';

/**
 * What a Twilio status callback says: `vendorStatus` is its MessageStatus as sent, `errorCode` its
 * ErrorCode (30003 unreachable, 30005 unknown number...) when the message failed. It carries no time
 * to trust and no price.
 */
export type TwilioReceipt = Pick<
  DeliveryReceipt,
  'providerMessageId' | 'outcome' | 'vendorStatus' | 'errorCode'
>;

export type TwilioReceiptResult =
  { ok: true; receipt: TwilioReceipt } | { ok: false; reason: 'bad_signature' | 'malformed' };

const OUTCOMES: Record<string, DeliveryReceipt['outcome']> = {
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'undelivered',
  canceled: 'undelivered',
  accepted: 'pending',
  scheduled: 'pending',
  queued: 'pending',
  sending: 'pending',
  sent: 'pending',
};

/**
 * Twilio's request signature: base64 HMAC-SHA1, keyed by the auth token, over the full callback URL
 * followed by every POST parameter as name + value, sorted by name.
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort();
  const data = names.reduce(
    (signed, name) =>
      signed + [...params.getAll(name)].sort().reduce((values, value) => values + name + value, ''),
    url,
  );
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Checks and reads one Twilio message status callback. `url` must be the exact URL Twilio was given
 * (scheme, host, port and query included), as Twilio signs that, not what a proxy forwards.
 */
export function parseTwilioReceipt(input: {
  authToken: string;
  url: string;
  /** The raw application/x-www-form-urlencoded body. */
  body: string;
  /** The X-Twilio-Signature header. */
  signature: string | undefined;
}): TwilioReceiptResult {
  const params = new URLSearchParams(input.body);
  const expected = Buffer.from(twilioSignature(input.authToken, input.url, params), 'base64');
  const given = Buffer.from(input.signature ?? '', 'base64');
  if (!sameSignature(given, expected)) return { ok: false, reason: 'bad_signature' };

  const providerMessageId = params.get('MessageSid') ?? params.get('SmsSid');
  const vendorStatus = params.get('MessageStatus') ?? params.get('SmsStatus');
  if (!providerMessageId || !vendorStatus) return { ok: false, reason: 'malformed' };
  // A status Twilio adds later is not a final answer, so it leaves the message pending.
  const outcome = OUTCOMES[vendorStatus] ?? 'pending';
  const errorCode = params.get('ErrorCode');
  const receipt: TwilioReceipt = { providerMessageId, outcome, vendorStatus };
  if (errorCode && /^\d{1,6}$/.test(errorCode)) receipt.errorCode = errorCode;
  return { ok: true, receipt };
}
