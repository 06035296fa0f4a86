import type { CannedResponse, CapturedRequest } from './fake-http-server.js';
import { NO_ANSWER, VendorFake } from './vendor-fake.js';

const octopushAnswer = (status: number, body: Record<string, unknown>): CannedResponse => ({
  status,
  body: JSON.stringify(body),
});

/**
 * Octopush's OTP API (POST /service/otp/generate under /v1/public, JSON, api-login and api-key headers). The seed documents
 * the success body and 401/403; the refusal codes here are illustrative: only "non-zero" matters.
 */
/** The statuses of Octopush's acknowledgement-of-receipt callback (SMS, then voice SMS only). */
export type OctopushReceiptStatus =
  | 'ACK'
  | 'DELIVERED'
  | 'NOT_DELIVERED'
  | 'NOT_ALLOWED'
  | 'UNKNOWN_DELIVERY'
  | 'BAD_DESTINATION'
  | 'BLACKLISTED_NUMBER'
  | 'UNDEFINED'
  | 'NOT_DELIVERABLE'
  | 'BUSY'
  | 'REFUSED';

export class OctopushFake extends VendorFake {
  /** Tickets of the messages accepted, with their number and channel, for the callbacks about them. */
  readonly accepted: { ticket: string; number: string; channel: string }[] = [];
  private serial = 0;

  /**
   * Calls the acknowledgement-of-receipt callback URL as Octopush does: a JSON body with the ticket
   * of the original message as message_id, the number, the status and its date ("Y-m-d H:i:s").
   */
  sendReceipt(callbackUrl: string, ticket: string, status: OctopushReceiptStatus): Promise<Response> {
    const message = this.accepted.find((candidate) => candidate.ticket === ticket);
    const voice = message?.channel === 'voice_sms';
    const body = {
      channel: message?.channel ?? 'sms',
      message_id: ticket,
      number: message?.number ?? '+34612345678',
      status,
      delivery_date: new Date().toISOString().slice(0, 19).replace('T', ' '),
      meta_data: {},
      ...(voice && { call_duration: 12, charged_duration: 30, pressed_keys_code: '' }),
    };
    return fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  constructor(
    private readonly login: string,
    private readonly key: string,
  ) {
    super();
  }

  protected answer(request: CapturedRequest): CannedResponse {
    if (request.method !== 'POST' || request.path !== '/service/otp/generate') {
      return octopushAnswer(404, { code: 404, message: 'Not found' });
    }
    if (request.headers['api-login'] !== this.login || request.headers['api-key'] !== this.key) {
      return octopushAnswer(401, { code: 101, message: 'Unauthorized.' });
    }
    switch (this.scenario) {
      case 'accept': {
        const sent = JSON.parse(request.body) as { phone_number?: string; channel?: string };
        const ticket = this.serial === 0 ? 'otp-20250101-7f3a9c' : `otp-20250101-${this.serial}`;
        this.serial += 1;
        this.accepted.push({ ticket, number: sent.phone_number ?? '', channel: sent.channel ?? 'sms' });
        return octopushAnswer(200, {
          code: 0,
          message: 'OTP sent',
          ticket_number: ticket,
          otp_request_token: 'c0ffee0123456789',
        });
      }
      case 'reject-number':
        return octopushAnswer(400, { code: 200, message: 'Invalid phone number' });
      case 'server-error':
        return octopushAnswer(500, { code: 500, message: 'Internal error' });
      case 'rate-limited':
        return octopushAnswer(429, { code: 429, message: 'Too many requests' });
      case 'hang':
        return NO_ANSWER;
      case 'garbage':
        return octopushAnswer(200, { message: 'maintenance' });
    }
  }
}
