import { createHmac } from 'node:crypto';
import type { CannedResponse, CapturedRequest } from './fake-http-server.js';
import { NO_ANSWER, VendorFake } from './vendor-fake.js';

const twilioError = (status: number, code: number, message: string): CannedResponse => ({
  status,
  body: JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }),
});

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * Twilio's REST API as far as otpflow uses it: Messages.json and Calls.json under one account, HTTP
 * Basic auth (the account SID and auth token, or an API key SID `SK…` and its secret: the account is
 * the one in the URL either way), form bodies, JSON answers and JSON errors {code, message,
 * more_info, status}.
 */
export class TwilioFake extends VendorFake {
  private readonly authorizations: Set<string>;

  /** Messages accepted, for the status callbacks about them. */
  readonly accepted: { sid: string; to: string; from: string }[] = [];
  private serial = 0;

  constructor(
    private readonly accountSid: string,
    private readonly authToken: string,
    apiKey?: { sid: string; secret: string },
  ) {
    super();
    this.authorizations = new Set([
      basic(accountSid, authToken),
      ...(apiKey ? [basic(apiKey.sid, apiKey.secret)] : []),
    ]);
  }

  /**
   * Posts a message status callback as Twilio does: a form with MessageSid/SmsSid, MessageStatus/
   * SmsStatus, AccountSid, From, To, ApiVersion (ErrorCode on a failure, RawDlrDoneDate when the
   * carrier gave one), signed in X-Twilio-Signature with the account's auth token over the URL and the
   * sorted parameters. Twilio always signs with the auth token, even for messages an API key sent.
   */
  sendStatusCallback(
    url: string,
    sid: string,
    status: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'read',
    options: { errorCode?: string; authToken?: string } = {},
  ): Promise<Response> {
    const message = this.accepted.find((candidate) => candidate.sid === sid);
    const params: Record<string, string> = {
      ApiVersion: '2010-04-01',
      AccountSid: this.accountSid,
      From: message?.from ?? '+14155550100',
      To: message?.to ?? '+34612345678',
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: status,
      SmsStatus: status,
      ...(options.errorCode && { ErrorCode: options.errorCode }),
      ...((status === 'delivered' || status === 'undelivered') && { RawDlrDoneDate: '2601011201' }),
    };
    const signed = Object.keys(params)
      .sort()
      .reduce((data, name) => data + name + (params[name] ?? ''), url);
    const signature = createHmac('sha1', options.authToken ?? this.authToken)
      .update(signed)
      .digest('base64');
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
  }

  protected answer(request: CapturedRequest): CannedResponse {
    if (!this.authorizations.has(request.headers.authorization ?? ''))
      return twilioError(401, 20003, 'Authenticate');
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(request.path);
    if (request.method !== 'POST' || match?.[1] !== this.accountSid) {
      return twilioError(404, 20404, 'The requested resource was not found');
    }
    const resource = match[2];
    switch (this.scenario) {
      case 'accept': {
        const serial = (this.serial++).toString(16).padStart(2, '0');
        const sid = `${resource === 'Calls' ? 'CA' : 'SM'}${'0123456789abcdef'.repeat(2).slice(0, 30)}${serial}`;
        const form = new URLSearchParams(request.body);
        this.accepted.push({ sid, to: form.get('To') ?? '', from: form.get('From') ?? '' });
        // As Twilio answers a create: the segments are known, the price not yet (null until sent).
        return {
          status: 201,
          body: JSON.stringify({
            sid,
            account_sid: this.accountSid,
            status: 'queued',
            ...(resource === 'Messages' && { num_segments: '1', price: null, price_unit: 'USD' }),
          }),
        };
      }
      case 'reject-number':
        return twilioError(400, 21211, "The 'To' number is not a valid phone number.");
      case 'server-error':
        return twilioError(500, 20500, 'An internal server error has occurred');
      case 'rate-limited':
        return twilioError(429, 20429, 'Too Many Requests');
      case 'hang':
        return NO_ANSWER;
      case 'garbage':
        // What a captive proxy or a broken load balancer returns: a 2xx that is not Twilio's JSON.
        return {
          status: 201,
          headers: { 'content-type': 'text/html' },
          body: '<html><body>OK</body></html>',
        };
    }
  }
}
