import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseTwilioReceipt, twilioSignature } from './twilio.receipts.js';

const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
const CALLBACK_URL = 'https://otp.example.com/receipts/twilio?region=eu';

/** Signs as Twilio documents it, written out by hand so the test does not check the code against itself. */
function sign(body: string, url = CALLBACK_URL, token = AUTH_TOKEN): string {
  const params = new URLSearchParams(body);
  const sorted = [...params.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const data = url + sorted.map(([name, value]) => name + value).join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('twilio status callbacks', () => {
  it("matches the worked example of Twilio's request validation docs", () => {
    const params = new URLSearchParams({
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    });
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe(
      '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
    );
  });

  it('reads a signed delivered callback', () => {
    const body = form({
      SmsSid: 'SM0123456789abcdef0123456789abcdef',
      MessageStatus: 'delivered',
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      AccountSid: 'AC0123456789abcdef0123456789abcdef',
      To: '+34612345678',
      ApiVersion: '2010-04-01',
    });
    expect(
      parseTwilioReceipt({ authToken: AUTH_TOKEN, url: CALLBACK_URL, body, signature: sign(body) }),
    ).toEqual({
      ok: true,
      receipt: {
        providerMessageId: 'SM0123456789abcdef0123456789abcdef',
        outcome: 'delivered',
        vendorStatus: 'delivered',
      },
    });
  });

  it.each([
    ['undelivered', 'undelivered'],
    ['failed', 'undelivered'],
    ['queued', 'pending'],
    ['sending', 'pending'],
    ['sent', 'pending'],
    ['accepted', 'pending'],
  ] as const)('maps MessageStatus %s to %s', (status, outcome) => {
    const body = form({ MessageSid: 'SM1', MessageStatus: status });
    const result = parseTwilioReceipt({
      authToken: AUTH_TOKEN,
      url: CALLBACK_URL,
      body,
      signature: sign(body),
    });
    expect(result).toMatchObject({ ok: true, receipt: { outcome, vendorStatus: status } });
  });

  it('keeps the error code of a failed message', () => {
    const body = form({ MessageSid: 'SM2', MessageStatus: 'undelivered', ErrorCode: '30003' });
    const result = parseTwilioReceipt({
      authToken: AUTH_TOKEN,
      url: CALLBACK_URL,
      body,
      signature: sign(body),
    });
    expect(result).toEqual({
      ok: true,
      receipt: {
        providerMessageId: 'SM2',
        outcome: 'undelivered',
        vendorStatus: 'undelivered',
        errorCode: '30003',
      },
    });
  });

  it('refuses a tampered body, another CALLBACK_URL, another token or no signature', () => {
    const body = form({ MessageSid: 'SM3', MessageStatus: 'failed' });
    const signature = sign(body);
    const tampered = form({ MessageSid: 'SM3', MessageStatus: 'delivered' });
    const bad = { ok: false, reason: 'bad_signature' };
    expect(
      parseTwilioReceipt({ authToken: AUTH_TOKEN, url: CALLBACK_URL, body: tampered, signature }),
    ).toEqual(bad);
    expect(
      parseTwilioReceipt({ authToken: AUTH_TOKEN, url: `${CALLBACK_URL}&x=1`, body, signature }),
    ).toEqual(bad);
    expect(parseTwilioReceipt({ authToken: 'f'.repeat(32), url: CALLBACK_URL, body, signature })).toEqual(
      bad,
    );
    expect(
      parseTwilioReceipt({ authToken: AUTH_TOKEN, url: CALLBACK_URL, body, signature: undefined }),
    ).toEqual(bad);
    expect(
      parseTwilioReceipt({ authToken: AUTH_TOKEN, url: CALLBACK_URL, body, signature: 'c2hvcnQ=' }),
    ).toEqual(bad);
  });

  it('refuses a signed callback without a message id or status', () => {
    const body = form({ AccountSid: 'AC0123456789abcdef0123456789abcdef' });
    expect(
      parseTwilioReceipt({ authToken: AUTH_TOKEN, url: CALLBACK_URL, body, signature: sign(body) }),
    ).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});
