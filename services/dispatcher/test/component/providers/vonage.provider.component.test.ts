import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vonageProvider } from '../../../src/providers/vonage/vonage.provider.js';
import { VonageFake, vonageAnswer } from '../../fakes/vonage.fake.js';
import { providerContract, sampleMessage, type ContractSubject } from '../../providers/provider-contract.js';
import { providerFromEnv, vendorSubject } from '../../providers/vendor-subject.js';

const API_KEY = 'a1b2c3d4';
const API_SECRET = 'S3cr3tS3cr3tS3cr';
const FROM = 'CoolApp';

describe('vonage provider', () => {
  let fake: VonageFake;
  let subject: ContractSubject;
  const makeProvider = (env: Record<string, string> = {}) =>
    providerFromEnv(vonageProvider, {
      VONAGE_API_KEY: API_KEY,
      VONAGE_API_SECRET: API_SECRET,
      VONAGE_FROM: FROM,
      VONAGE_BASE_URL: fake.http.url,
      ...env,
    });
  beforeEach(async () => {
    fake = await new VonageFake(API_KEY, API_SECRET).start();
    subject = vendorSubject(fake, makeProvider(), (message) => {
      const request = fake.requests.at(-1);
      expect(request?.method).toBe('POST');
      expect(request?.path).toBe('/sms/json');
      expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect([...new URLSearchParams(request?.body)]).toEqual([
        ['api_key', API_KEY],
        ['api_secret', API_SECRET],
        ['from', message.senderId ?? FROM],
        ['to', '34612345678'],
        ['text', message.text],
        ...(message.sms?.encoding === 'UCS-2' ? [['type', 'unicode']] : []),
        ['client-ref', message.idempotencyKey],
      ]);
    });
  });
  afterEach(async () => {
    await subject.close();
  });

  providerContract(() => subject);

  it('returns the message id of the first part, the parts billed and their price', async () => {
    expect(await subject.provider.send(sampleMessage(), AbortSignal.timeout(5_000))).toEqual({
      providerMessageId: '0A0000000123ABC01',
      billedParts: 1,
      price: { amount: '0.0333', currency: 'EUR' },
    });
    fake.http.respondWith(() =>
      vonageAnswer([
        { status: '0', 'message-id': '0A01' },
        { status: '0', 'message-id': '0A02' },
      ]),
    );
    expect(await subject.provider.send(sampleMessage(), AbortSignal.timeout(5_000))).toEqual({
      providerMessageId: '0A01',
      billedParts: 2,
    });
  });

  it('adds up the price of every part, in the currency the deployment names', async () => {
    const provider = makeProvider({ VONAGE_PRICE_CURRENCY: 'GBP' });
    fake.http.respondWith(() =>
      vonageAnswer([
        { status: '0', 'message-id': '0A01', 'message-price': '0.03330000' },
        { status: '0', 'message-id': '0A02', 'message-price': '0.03330000' },
      ]),
    );
    expect(await provider.send(sampleMessage(), AbortSignal.timeout(5_000))).toMatchObject({
      billedParts: 2,
      price: { amount: '0.0666', currency: 'GBP' },
    });
    // A part without a price leaves the message without one rather than cheaper than it was.
    fake.http.respondWith(() =>
      vonageAnswer([
        { status: '0', 'message-id': '0A01', 'message-price': '0.03330000' },
        { status: '0', 'message-id': '0A02' },
      ]),
    );
    expect(await provider.send(sampleMessage(), AbortSignal.timeout(5_000))).not.toHaveProperty('price');
  });

  it('asks for unicode for a UCS-2 text', async () => {
    const message = sampleMessage({ text: '482913 — ваш код', sms: { encoding: 'UCS-2', parts: 1 } });
    await subject.provider.send(message, AbortSignal.timeout(5_000));
    subject.expectExactRequest(message);
    expect(new URLSearchParams(fake.requests.at(-1)?.body).get('type')).toBe('unicode');
  });

  it.each([
    ['1', 'retryable'],
    ['5', 'retryable'],
    ['10', 'retryable'],
    ['2', 'permanent'],
    ['4', 'permanent'],
    ['6', 'permanent'],
    ['7', 'permanent'],
    ['9', 'permanent'],
    ['15', 'permanent'],
    ['29', 'permanent'],
    ['33', 'permanent'],
  ] as const)('maps status %s to %s', async (status, failure) => {
    fake.http.respondWith(() => vonageAnswer([{ status, 'error-text': 'refused' }]));
    const error = await subject.provider
      .send(sampleMessage(), AbortSignal.timeout(5_000))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ failure, reason: `vendor_${status}` });
  });

  it('fails a long message when one of its parts is refused', async () => {
    fake.http.respondWith(() => vonageAnswer([{ status: '0', 'message-id': '0A01' }, { status: '5' }]));
    const error = await subject.provider
      .send(sampleMessage(), AbortSignal.timeout(5_000))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'retryable', reason: 'vendor_5' });
  });

  it('treats a refusal at the HTTP level as permanent, except 429', async () => {
    fake.http.respondWith(() => ({ status: 401, body: '' }));
    let error = await subject.provider
      .send(sampleMessage(), AbortSignal.timeout(5_000))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'permanent', reason: 'http_401' });
    fake.http.respondWith(() => ({ status: 429, body: '' }));
    error = await subject.provider.send(sampleMessage(), AbortSignal.timeout(5_000)).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'retryable', reason: 'http_429' });
  });

  it('validates its settings at start-up', () => {
    const parse = (env: Record<string, string>) => vonageProvider.envSchema.safeParse(env).success;
    expect(
      parse({ VONAGE_API_KEY: API_KEY, VONAGE_API_SECRET: API_SECRET, VONAGE_FROM: '447700900000' }),
    ).toBe(true);
    expect(parse({ VONAGE_API_KEY: 'key', VONAGE_API_SECRET: API_SECRET, VONAGE_FROM: FROM })).toBe(false);
    expect(
      parse({ VONAGE_API_KEY: API_KEY, VONAGE_API_SECRET: API_SECRET, VONAGE_FROM: '+447700900000' }),
    ).toBe(false);
    expect(parse({ VONAGE_API_KEY: API_KEY, VONAGE_FROM: FROM })).toBe(false);
  });
});
