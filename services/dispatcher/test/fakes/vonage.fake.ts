import { randomBytes } from 'node:crypto';
import { vonageSignature, type VonageSignatureMethod } from '../../src/providers/vonage/vonage.receipts.js';
import type { CannedResponse, CapturedRequest } from './fake-http-server.js';
import { NO_ANSWER, VendorFake } from './vendor-fake.js';

/** One Vonage SMS API answer: always HTTP 200, the verdict in each message's `status`. */
export function vonageAnswer(
  parts: { status: string; 'message-id'?: string; 'error-text'?: string; 'message-price'?: string }[],
): CannedResponse {
  const messages = parts.map((part) => ({
    to: '34612345678',
    ...(part.status === '0' && { 'remaining-balance': '3.14159265', network: '21401' }),
    ...part,
  }));
  return { status: 200, body: JSON.stringify({ 'message-count': String(parts.length), messages }) };
}

/** What a DLR reports, in Vonage's words. */
export interface VonageDlrFields {
  messageId: string;
  status: 'delivered' | 'expired' | 'failed' | 'rejected' | 'accepted' | 'buffered' | 'unknown';
  'err-code'?: string;
  price?: string;
  /** Unix seconds of the signature; now by default. */
  timestamp?: number;
}

/** How the account has Vonage send DLRs: POST (a form) or POST-JSON. */
export type VonageDlrFormat = 'form' | 'json';

/**
 * The Vonage SMS API (POST /sms/json, form body, credentials in the body). Like the real one it answers
 * 200 with status "4" for bad credentials and "3" for an invalid destination.
 */
export class VonageFake extends VendorFake {
  /** Messages accepted, for the DLRs about them. */
  readonly accepted: { messageId: string; to: string; from: string; clientRef: string }[] = [];
  private serial = 0;

  constructor(
    private readonly apiKey: string,
    private readonly apiSecret: string,
    private readonly signing: { secret: string; method: VonageSignatureMethod } = {
      secret: 'vonage-signature-secret-0123',
      method: 'md5hash',
    },
  ) {
    super();
  }

  /**
   * Posts a DLR the way Vonage's signed SMS webhooks do: every field of a real DLR (msisdn, to,
   * network-code, messageId, price, status, scts, err-code, api-key, client-ref, message-timestamp),
   * then timestamp, nonce and sig over all of them with the account's signature secret and method.
   */
  sendDlr(
    url: string,
    fields: VonageDlrFields,
    options: { format?: VonageDlrFormat; secret?: string } = {},
  ): Promise<Response> {
    const message = this.accepted.find((candidate) => candidate.messageId === fields.messageId);
    const timestamp = fields.timestamp ?? Math.floor(Date.now() / 1000);
    const stamp = new Date(timestamp * 1000).toISOString();
    const params: Record<string, string> = {
      msisdn: message?.to ?? '34612345678',
      to: message?.from ?? 'CoolApp',
      'network-code': '21401',
      messageId: fields.messageId,
      price: fields.price ?? '0.03330000',
      status: fields.status,
      scts: stamp.slice(2, 16).replace(/[-T:]/g, ''),
      'err-code': fields['err-code'] ?? (fields.status === 'delivered' ? '0' : '1'),
      'api-key': this.apiKey,
      ...(message && { 'client-ref': message.clientRef }),
      'message-timestamp': stamp.slice(0, 19).replace('T', ' '),
      timestamp: String(timestamp),
      nonce: randomBytes(16).toString('hex'),
    };
    params.sig = vonageSignature(params, options.secret ?? this.signing.secret, this.signing.method);
    const json = options.format === 'json';
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      },
      body: json ? JSON.stringify(params) : new URLSearchParams(params).toString(),
    });
  }

  protected answer(request: CapturedRequest): CannedResponse {
    if (request.method !== 'POST' || request.path !== '/sms/json') return { status: 404, body: '' };
    const form = new URLSearchParams(request.body);
    if (form.get('api_key') !== this.apiKey || form.get('api_secret') !== this.apiSecret) {
      return vonageAnswer([{ status: '4', 'error-text': 'Bad Credentials' }]);
    }
    switch (this.scenario) {
      case 'accept': {
        const messageId = `0A0000000123ABC${(++this.serial).toString(16).toUpperCase().padStart(2, '0')}`;
        this.accepted.push({
          messageId,
          to: form.get('to') ?? '',
          from: form.get('from') ?? '',
          clientRef: form.get('client-ref') ?? '',
        });
        return vonageAnswer([{ status: '0', 'message-id': messageId, 'message-price': '0.03330000' }]);
      }
      case 'reject-number':
        return vonageAnswer([{ status: '3', 'error-text': 'Invalid to parameter' }]);
      case 'server-error':
        return { status: 503, body: '' };
      case 'rate-limited':
        return vonageAnswer([
          { status: '1', 'error-text': 'Throughput Rate Exceeded - please wait [ 10 ] and retry' },
        ]);
      case 'hang':
        return NO_ANSWER;
      case 'garbage':
        return { status: 200, body: JSON.stringify({ 'message-count': '1' }) };
    }
  }
}
