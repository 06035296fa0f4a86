import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookSignatureError } from './webhook-signature.js';

const secret = `whsec_${Buffer.alloc(24, 3).toString('base64')}`;
const body = JSON.stringify({
  type: 'verification.approved',
  timestamp: '2026-12-01T10:00:00.000Z',
  data: {},
});
const at = new Date('2026-12-01T10:00:00Z');

function headersAt(sentAt: Date, signWith = secret) {
  return {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': new Webhook(signWith).sign('msg_1', sentAt, body),
  };
}

describe('verifyWebhook', () => {
  it('returns the id and the event of a callback signed with the secret', () => {
    const verified = verifyWebhook(body, headersAt(at), secret, { now: () => at });
    expect(verified).toEqual({ id: 'msg_1', event: JSON.parse(body) as unknown });
  });

  it('reads headers from a fetch Headers object too', () => {
    const verified = verifyWebhook(Buffer.from(body), new Headers(headersAt(at)), secret, { now: () => at });
    expect(verified.id).toBe('msg_1');
  });

  it('refuses another secret, a changed body and a missing header', () => {
    const other = `whsec_${Buffer.alloc(24, 4).toString('base64')}`;
    expect(() => verifyWebhook(body, headersAt(at, other), secret, { now: () => at })).toThrow(
      WebhookSignatureError,
    );
    expect(() => verifyWebhook(`${body} `, headersAt(at), secret, { now: () => at })).toThrow(
      WebhookSignatureError,
    );
    const { 'webhook-signature': _signature, ...unsigned } = headersAt(at);
    expect(() => verifyWebhook(body, unsigned, secret, { now: () => at })).toThrow(
      /missing webhook-signature/,
    );
  });

  it('refuses a replay outside the window, the default or a tighter one', () => {
    const later = (seconds: number) => () => new Date(at.getTime() + seconds * 1000);
    expect(() => verifyWebhook(body, headersAt(at), secret, { now: later(301) })).toThrow(/replay window/);
    expect(() => verifyWebhook(body, headersAt(at), secret, { now: later(-301) })).toThrow(/replay window/);
    expect(() =>
      verifyWebhook(body, headersAt(at), secret, { now: later(61), toleranceSeconds: 60 }),
    ).toThrow(/replay window/);
    expect(verifyWebhook(body, headersAt(at), secret, { now: later(59), toleranceSeconds: 60 }).id).toBe(
      'msg_1',
    );
  });
});
