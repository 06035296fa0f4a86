import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/providers/provider-error.js';
import { twilioProvider } from '../../../src/providers/twilio/twilio.provider.js';
import { TwilioFake } from '../../fakes/twilio.fake.js';
import { providerContract, sampleMessage, type ContractSubject } from '../../providers/provider-contract.js';
import { providerFromEnv, vendorSubject } from '../../providers/vendor-subject.js';

const ACCOUNT_SID = `AC${'a1b2c3d4'.repeat(4)}`;
const AUTH_TOKEN = 'f'.repeat(32);
const FROM = '+14155550100';
const CALLBACK = 'https://otp.example.com/receipts/twilio';

const makeProvider = (fake: TwilioFake, env: Record<string, string> = {}) =>
  providerFromEnv(twilioProvider, {
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: FROM,
    TWILIO_STATUS_CALLBACK_URL: CALLBACK,
    TWILIO_BASE_URL: fake.http.url,
    ...env,
  });

const formOf = (body: string | undefined) => [...new URLSearchParams(body ?? '')];

describe('twilio provider', () => {
  let fake: TwilioFake;
  let subject: ContractSubject;
  beforeEach(async () => {
    fake = await new TwilioFake(ACCOUNT_SID, AUTH_TOKEN).start();
    subject = vendorSubject(fake, makeProvider(fake), (message) => {
      const request = fake.requests.at(-1);
      const voice = message.channel === 'voice';
      expect(request?.method).toBe('POST');
      expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/${voice ? 'Calls' : 'Messages'}.json`);
      expect(request?.headers.authorization).toBe(
        `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
      );
      expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      if (voice) {
        const say = `<Say voice="Polly.Celine" language="fr-FR">${message.text}</Say>`;
        expect(formOf(request?.body)).toEqual([
          ['To', message.to],
          ['From', FROM],
          ['Twiml', `<Response>${say}<Pause/>${say}</Response>`],
        ]);
      } else {
        expect(formOf(request?.body)).toEqual([
          ['To', message.to],
          ['From', message.senderId ?? FROM],
          ['Body', message.text],
          ['StatusCallback', CALLBACK],
        ]);
      }
    });
  });
  afterEach(async () => {
    await subject.close();
  });

  providerContract(() => subject, { voice: { voice: { language: 'fr-FR', gender: 'female' } } });

  it('returns the message sid and reports the Twilio error code of a refusal', async () => {
    const receipt = await subject.provider.send(sampleMessage(), AbortSignal.timeout(5_000));
    expect(receipt).toEqual({
      providerMessageId: `SM${'0123456789abcdef'.repeat(2).slice(0, 30)}00`,
      billedParts: 1,
    });
    fake.scenario = 'reject-number';
    const error = await subject.provider
      .send(sampleMessage(), AbortSignal.timeout(5_000))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).reason).toBe('vendor_21211');
  });

  it.each([
    [400, 21614, 'permanent'],
    [400, 21408, 'permanent'],
    [400, 21610, 'permanent'],
    [401, 20003, 'permanent'],
    [403, 20003, 'permanent'],
    [400, 20429, 'retryable'],
    [503, 20503, 'retryable'],
  ] as const)('maps HTTP %i with code %i to %s', async (status, code, failure) => {
    fake.http.respondWith(() => ({
      status,
      body: JSON.stringify({ code, message: 'x', more_info: '', status }),
    }));
    const error = await subject.provider
      .send(sampleMessage(), AbortSignal.timeout(5_000))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ failure, reason: `vendor_${code}` });
  });

  it('authenticates with an API key and its secret, the account SID in the URL', async () => {
    const apiKey = { sid: `SK${'9f8e7d6c'.repeat(4)}`, secret: 'Zr7QmW2pXk9LbV4nHs6TjY1cFd8GaE3u' };
    const keyed = await new TwilioFake(ACCOUNT_SID, AUTH_TOKEN, apiKey).start();
    try {
      const provider = providerFromEnv(twilioProvider, {
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_API_KEY_SID: apiKey.sid,
        TWILIO_API_KEY_SECRET: apiKey.secret,
        TWILIO_FROM: FROM,
        TWILIO_BASE_URL: keyed.http.url,
      });
      const receipt = await provider.send(sampleMessage(), AbortSignal.timeout(5_000));
      expect(receipt.providerMessageId).toMatch(/^SM/);
      const request = keyed.requests.at(-1);
      expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
      expect(request?.headers.authorization).toBe(
        `Basic ${Buffer.from(`${apiKey.sid}:${apiKey.secret}`).toString('base64')}`,
      );
    } finally {
      await keyed.close();
    }
  });

  it('uses the message sender id and the messaging service when configured', async () => {
    const provider = makeProvider(fake, { TWILIO_MESSAGING_SERVICE_SID: `MG${'0'.repeat(32)}` });
    await provider.send(sampleMessage({ senderId: 'CoolApp' }), AbortSignal.timeout(5_000));
    expect(formOf(fake.requests.at(-1)?.body)).toEqual([
      ['To', '+34612345678'],
      ['From', 'CoolApp'],
      ['MessagingServiceSid', `MG${'0'.repeat(32)}`],
      ['Body', '482913 is your Cool App code'],
      ['StatusCallback', CALLBACK],
    ]);
  });

  it('XML-escapes the call script and picks the voice by language and gender', async () => {
    const text = 'Code <4 8 2> & "9 1 3"';
    await subject.provider.send(
      sampleMessage({ channel: 'voice', text, voice: { language: 'es-LA', gender: 'male' } }),
      AbortSignal.timeout(5_000),
    );
    const say = '<Say voice="Polly.Miguel" language="es-US">Code &lt;4 8 2&gt; &amp; &quot;9 1 3&quot;</Say>';
    expect(new URLSearchParams(fake.requests.at(-1)?.body).get('Twiml')).toBe(
      `<Response>${say}<Pause/>${say}</Response>`,
    );
  });

  it('offers voice only with a phone number to call from', () => {
    expect(makeProvider(fake, { TWILIO_FROM: 'CoolApp' }).channels).toEqual(['sms']);
  });

  it('keeps the segments and, when Twilio already tells it, the price of the answer', async () => {
    fake.http.respondWith(() => ({
      status: 201,
      body: JSON.stringify({ sid: 'SM1', num_segments: '2', price: '-0.01580', price_unit: 'USD' }),
    }));
    expect(await subject.provider.send(sampleMessage(), AbortSignal.timeout(5_000))).toEqual({
      providerMessageId: 'SM1',
      billedParts: 2,
      price: { amount: '0.0158', currency: 'USD' },
    });
    // Through a messaging service the segments are 0 until a sender is picked: not a count.
    fake.http.respondWith(() => ({
      status: 201,
      body: JSON.stringify({ sid: 'SM2', num_segments: '0', price: null, price_unit: 'USD' }),
    }));
    expect(await subject.provider.send(sampleMessage(), AbortSignal.timeout(5_000))).toEqual({
      providerMessageId: 'SM2',
    });
  });

  it('validates its settings at start-up', () => {
    const parse = (env: Record<string, string>) => twilioProvider.envSchema.safeParse(env).success;
    const apiKey = {
      TWILIO_API_KEY_SID: `SK${'9f8e7d6c'.repeat(4)}`,
      TWILIO_API_KEY_SECRET: 'Zr7QmW2pXk9LbV4nHs6TjY1cFd8GaE3u',
    };
    expect(parse({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_FROM: FROM, ...apiKey })).toBe(true);
    expect(parse({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_FROM: FROM })).toBe(false);
    expect(
      parse({
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_FROM: FROM,
        TWILIO_API_KEY_SID: apiKey.TWILIO_API_KEY_SID,
      }),
    ).toBe(false);
    // Status callbacks are signed with the auth token: an API key alone cannot have them checked.
    expect(
      parse({
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_FROM: FROM,
        TWILIO_STATUS_CALLBACK_URL: CALLBACK,
        ...apiKey,
      }),
    ).toBe(false);
    expect(
      parse({
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_FROM: FROM,
        TWILIO_STATUS_CALLBACK_URL: CALLBACK,
        ...apiKey,
      }),
    ).toBe(true);
    expect(parse({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: FROM })).toBe(
      true,
    );
    expect(parse({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN })).toBe(false);
    expect(parse({ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: FROM })).toBe(
      false,
    );
    expect(parse({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: 'secret', TWILIO_FROM: FROM })).toBe(
      false,
    );
    expect(
      parse({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: 'Too Long Name' }),
    ).toBe(false);
  });
});
