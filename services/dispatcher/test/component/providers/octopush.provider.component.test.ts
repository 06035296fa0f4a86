import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { octopushProvider } from '../../../src/providers/octopush/octopush.provider.js';
import { OctopushFake } from '../../fakes/octopush.fake.js';
import { providerContract, sampleMessage, type ContractSubject } from '../../providers/provider-contract.js';
import { providerFromEnv, vendorSubject } from '../../providers/vendor-subject.js';

const LOGIN = 'ops@coolapp.example';
const KEY = 'k3yk3yk3yk3yk3yk3yk3yk3y';

describe('octopush provider', () => {
  let fake: OctopushFake;
  let subject: ContractSubject;
  const makeProvider = (env: Record<string, string> = {}) =>
    providerFromEnv(octopushProvider, {
      OCTOPUSH_API_LOGIN: LOGIN,
      OCTOPUSH_API_KEY: KEY,
      OCTOPUSH_BASE_URL: `${fake.http.url}/`,
      ...env,
    });

  beforeEach(async () => {
    fake = await new OctopushFake(LOGIN, KEY).start();
    subject = vendorSubject(fake, makeProvider(), (message) => {
      const request = fake.requests.at(-1);
      expect(request?.method).toBe('POST');
      expect(request?.path).toBe('/service/otp/generate');
      expect(request?.headers['api-login']).toBe(LOGIN);
      expect(request?.headers['api-key']).toBe(KEY);
      expect(request?.headers['content-type']).toBe('application/json');
      const voice = message.channel === 'voice';
      expect(fake.lastJsonBody()).toEqual({
        phone_number: message.to,
        text: message.text,
        channel: voice ? 'voice_sms' : 'sms',
        code_length: 6,
        allow_digits: true,
        allow_upper_case: false,
        allow_lower_case: false,
        allow_special_chars: false,
        validity_period: Math.ceil((message.expiresAt.getTime() - Date.now()) / 1000),
        ...(voice && { voice_language: 'de-DE', voice_gender: 'male' }),
      });
    });
  });
  afterEach(async () => {
    await subject.close();
  });

  providerContract(() => subject, { voice: { voice: { language: 'de-DE', gender: 'male' } } });

  it('returns the ticket number as the message id', async () => {
    expect(await subject.provider.send(sampleMessage(), AbortSignal.timeout(5_000))).toEqual({
      providerMessageId: 'otp-20250101-7f3a9c',
    });
  });

  it('describes the code, names the sender and passes the recipient IP', async () => {
    const provider = makeProvider({ OCTOPUSH_SENDER: 'CoolApp' });
    const expiresAt = new Date(Date.now() + 90_500);
    await provider.send(
      sampleMessage({ code: 'aB3-x9', expiresAt, recipientIp: '203.0.113.7' }),
      AbortSignal.timeout(5_000),
    );
    expect(fake.lastJsonBody()).toMatchObject({
      sender: 'CoolApp',
      code_length: 6,
      allow_digits: true,
      allow_upper_case: true,
      allow_lower_case: true,
      allow_special_chars: true,
      validity_period: 91,
      recipient_ip: '203.0.113.7',
    });
    await provider.send(
      sampleMessage({ senderId: 'Other', expiresAt: new Date(0) }),
      AbortSignal.timeout(5_000),
    );
    expect(fake.lastJsonBody()).toMatchObject({ sender: 'Other', validity_period: 1 });
  });

  it('treats a non-zero result code as permanent even with HTTP 200', async () => {
    fake.http.respondWith(() => ({
      status: 200,
      body: JSON.stringify({ code: 304, message: 'Invalid sender' }),
    }));
    const error = await subject.provider
      .send(sampleMessage(), AbortSignal.timeout(5_000))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'permanent', reason: 'vendor_304' });
  });

  it.each([401, 403, 404])('treats HTTP %i as permanent', async (status) => {
    fake.http.respondWith(() => ({ status, body: JSON.stringify({ code: 101, message: 'no' }) }));
    const error = await subject.provider
      .send(sampleMessage(), AbortSignal.timeout(5_000))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'permanent' });
  });

  it('validates its settings at start-up', () => {
    const parse = (env: Record<string, string>) => octopushProvider.envSchema.safeParse(env).success;
    expect(parse({ OCTOPUSH_API_LOGIN: LOGIN, OCTOPUSH_API_KEY: KEY })).toBe(true);
    expect(parse({ OCTOPUSH_API_LOGIN: 'ops', OCTOPUSH_API_KEY: KEY })).toBe(false);
    expect(parse({ OCTOPUSH_API_LOGIN: LOGIN, OCTOPUSH_API_KEY: 'short' })).toBe(false);
    expect(parse({ OCTOPUSH_API_LOGIN: LOGIN, OCTOPUSH_API_KEY: KEY, OCTOPUSH_SENDER: 'No spaces!' })).toBe(
      false,
    );
  });
});
