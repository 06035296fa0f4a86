import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioFake } from '../../services/dispatcher/test/fakes/twilio.fake.js';
import { API_KEY, startStack, type Stack } from '../support/stack.js';

const ACCOUNT_SID = `AC${'c'.repeat(32)}`;
const AUTH_TOKEN = 'd'.repeat(32);

/** A voice verification created through the native API reaches the voice provider as asked. */
describe('native voice verifications', () => {
  let stack: Stack;
  let twilio: TwilioFake;
  beforeAll(async () => {
    twilio = await new TwilioFake(ACCOUNT_SID, AUTH_TOKEN).start();
    stack = await startStack('voice', {
      dispatcherEnv: {
        VOICE_PROVIDERS: 'twilio',
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_FROM: '+15005550006',
        TWILIO_BASE_URL: twilio.http.url,
      },
    });
  });
  afterAll(async () => {
    await stack.stop();
    await twilio.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const response = await fetch(`${stack.gateway.url}/v1/verifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const twimlOf = (index: number) =>
    new URLSearchParams(twilio.requests[index]?.body ?? '').get('Twiml') ?? '';

  it('calls with the requested language and gender, reading the code slowly and twice', async () => {
    const id = await create({
      to: '+34912345678',
      channel: 'voice',
      voice: { language: 'fr-FR', gender: 'male' },
    });
    await waitFor(() => twilio.requests.length >= 1, { what: 'the call' });
    const request = twilio.requests[0];
    expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`);
    const twiml = twimlOf(0);
    expect(twiml).toContain('voice="Polly.Mathieu" language="fr-FR"');
    const spelled = /code est: ([0-9, ]+)\./.exec(twiml)?.[1] ?? '';
    expect(spelled).toMatch(/^\d(, \d){5}$/);
    expect(twiml.split(spelled).length - 1).toBeGreaterThanOrEqual(2);
    await waitFor(async () => (await stack.delivery(id))?.status === 'sent');
  });

  it('says the client’s own words with the code spelled out', async () => {
    await create({
      to: '+34912345679',
      channel: 'voice',
      message: 'Bienvenue chez Cool App. Votre code: {{code}}.',
    });
    await waitFor(() => twilio.requests.length >= 2, { what: 'the second call' });
    expect(twimlOf(1)).toMatch(/Bienvenue chez Cool App\. Votre code: \d(, \d){5}\./);
  });
});
