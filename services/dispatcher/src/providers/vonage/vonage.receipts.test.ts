import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import { vonageSignature, VonageReceiptVerifier } from './vonage.receipts.js';

const SECRET = 'vonage-signature-secret-0123';
const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z, the manual clock's start

describe('vonage signatures', () => {
  it("matches the worked example of Vonage's client libraries (md5hash)", () => {
    expect(vonageSignature({ a: '1', b: '2', timestamp: '1461605396' }, 'secret', 'md5hash')).toBe(
      '6af838ef94998832dbfc29020b564830',
    );
  });

  it('signs the sorted &name=value string, & and = in values turned into _, with each HMAC', () => {
    // Written out by hand, so the test does not check the code against itself.
    const signed = '&a=x_y_z&b=2&timestamp=1461605396';
    const params = { timestamp: '1461605396', b: '2', a: 'x&y=z', sig: 'ignored' };
    expect(vonageSignature(params, 'secret', 'md5hash')).toBe(
      createHash('md5').update(`${signed}secret`).digest('hex'),
    );
    for (const [method, digest] of [
      ['md5hmac', 'md5'],
      ['sha1hmac', 'sha1'],
      ['sha256hmac', 'sha256'],
      ['sha512hmac', 'sha512'],
    ] as const) {
      expect(vonageSignature(params, 'secret', method)).toBe(
        createHmac(digest, 'secret').update(signed).digest('hex'),
      );
    }
  });
});

describe('vonage DLRs', () => {
  const verifier = new VonageReceiptVerifier(
    { secret: SECRET, method: 'sha256hmac', currency: 'EUR' },
    { toleranceSeconds: 300, clock: new ManualClock() },
  );
  const dlr = (fields: Record<string, string>, timestamp = NOW) => {
    const params: Record<string, string> = {
      msisdn: '34612345678',
      to: 'CoolApp',
      'network-code': '21401',
      messageId: '0A0000000123ABC01',
      price: '0.03330000',
      status: 'delivered',
      scts: '2601010000',
      'err-code': '0',
      'api-key': 'a1b2c3d4',
      'message-timestamp': '2026-01-01 00:00:00',
      timestamp: String(timestamp),
      nonce: '6a1d0d3e2f5b4c8a',
      ...fields,
    };
    return { ...params, sig: vonageSignature(params, SECRET, 'sha256hmac') };
  };
  const form = (params: Record<string, string>) => ({
    url: 'https://otp.example.com/v1/receipts/vonage',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const json = (params: Record<string, string>) => ({
    url: 'https://otp.example.com/v1/receipts/vonage',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });

  it('reads a signed DLR, posted as a form or as JSON, with its price and signed time', () => {
    const expected = {
      providerMessageId: '0A0000000123ABC01',
      outcome: 'delivered',
      vendorStatus: 'delivered',
      at: new Date(NOW * 1000),
      price: { amount: '0.0333', currency: 'EUR' },
    };
    expect(verifier.verify(form(dlr({})))).toEqual(expected);
    expect(verifier.verify(json(dlr({})))).toEqual(expected);
  });

  it.each([
    ['expired', 'undelivered'],
    ['failed', 'undelivered'],
    ['rejected', 'undelivered'],
    ['accepted', 'pending'],
    ['buffered', 'pending'],
    ['unknown', 'pending'],
    ['something-new', 'pending'],
  ])('maps status %s to %s', (status, outcome) => {
    expect(verifier.verify(form(dlr({ status, 'err-code': '6' })))).toMatchObject({ outcome });
  });

  it('keeps the error code of an undelivered message only', () => {
    expect(verifier.verify(form(dlr({ status: 'failed', 'err-code': '6' })))?.errorCode).toBe('6');
    expect(verifier.verify(form(dlr({})))?.errorCode).toBeUndefined();
  });

  it('refuses a DLR unsigned, tampered, signed with another secret or outside the window', () => {
    const { sig: _sig, ...unsigned } = dlr({});
    expect(verifier.verify(form(unsigned))).toBeUndefined();
    expect(verifier.verify(form({ ...dlr({}), status: 'failed' }))).toBeUndefined();
    const other = { ...dlr({}) };
    other.sig = vonageSignature(other, 'another-secret-000000', 'sha256hmac');
    expect(verifier.verify(form(other))).toBeUndefined();
    expect(verifier.verify(form(dlr({}, NOW - 301)))).toBeUndefined();
    expect(verifier.verify(form(dlr({}, NOW + 301)))).toBeUndefined();
    expect(verifier.verify(form(dlr({}, NOW - 299)))).toBeDefined();
  });

  it('throws on a signed DLR that names no message, and on JSON that is not an object', () => {
    expect(() => verifier.verify(form(dlr({ messageId: '' })))).toThrow();
    expect(() => verifier.verify({ ...json(dlr({})), body: '[1]' })).toThrow();
  });
});
