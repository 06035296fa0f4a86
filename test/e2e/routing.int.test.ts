import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioFake } from '../../services/dispatcher/test/fakes/twilio.fake.js';
import { receiptHeaders, startStack, type Stack } from '../support/stack.js';

const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
const AUTH_TOKEN = 'b'.repeat(32);

let sequence = 0;
const phone = () => `+3463${String(Date.now() % 1_000_000).padStart(6, '0')}${String((sequence += 1) % 10)}`;

/** Routing: an ordered provider list, failover, circuit breaking, fallback to voice, receipts. */
describe('provider routing', () => {
  let stack: Stack;
  let twilio: TwilioFake;
  beforeAll(async () => {
    twilio = await new TwilioFake(ACCOUNT_SID, AUTH_TOKEN).start();
    stack = await startStack('routing', {
      dispatcherEnv: {
        SMS_PROVIDERS: 'twilio,webhook',
        VOICE_PROVIDERS: 'webhook',
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_FROM: '+15005550006',
        TWILIO_BASE_URL: twilio.http.url,
        CIRCUIT_BREAKER_FAILURES: '3',
        CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS: '60000',
      },
    });
  });
  afterAll(async () => {
    await stack.stop();
    await twilio.close();
  });

  const circuit = async (provider: string) => {
    const metrics = await (await fetch(`${stack.dispatcher?.url ?? ''}/metrics`)).text();
    return Number(
      new RegExp(`otpflow_provider_circuit_state\\{provider="${provider}"[^}]*\\} (\\d)`).exec(metrics)?.[1],
    );
  };

  it('uses the first provider of the route while it works', async () => {
    twilio.scenario = 'accept';
    const authenticationId = await stack.sendCode(phone());
    await waitFor(async () => (await stack.delivery(authenticationId))?.status === 'sent');
    expect((await stack.delivery(authenticationId))?.provider).toBe('twilio');
  });

  it('fails over to the next provider when the first refuses the number, without retrying it', async () => {
    twilio.scenario = 'reject-number';
    const before = twilio.requests.length;
    const authenticationId = await stack.sendCode(phone());
    const code = await stack.codeFor(authenticationId);
    const session = await waitFor(async () => {
      const found = await stack.delivery(authenticationId);
      return found?.status === 'sent' ? found : undefined;
    });
    expect(await stack.validateCode(authenticationId, code)).toBe(204);
    expect(twilio.requests.length - before).toBe(1);
    expect(session).toMatchObject({ provider: 'webhook', attempts: 1 });
    expect(session.history?.map((entry) => [entry.provider, entry.outcome])).toEqual([
      ['twilio', 'permanent_error'],
      ['webhook', 'accepted'],
    ]);
  });

  it('opens the circuit of a provider that keeps failing, and skips it', async () => {
    twilio.scenario = 'server-error';
    for (let index = 0; index < 3; index += 1) await stack.codeFor(await stack.sendCode(phone()));
    expect(await circuit('twilio')).toBe(2);
    const before = twilio.requests.length;
    const authenticationId = await stack.sendCode(phone());
    await stack.codeFor(authenticationId);
    expect(twilio.requests.length).toBe(before);
    const sent = await waitFor(async () => {
      const session = await stack.delivery(authenticationId);
      return session?.status === 'sent' ? session : undefined;
    });
    const history = sent.history ?? [];
    expect(history[0]).toMatchObject({
      provider: 'twilio',
      outcome: 'retryable_error',
      error: 'vendor_circuit_open',
    });
  });

  it('records delivery receipts signed with the shared secret, and refuses forged ones', async () => {
    const sent = await sentThroughWebhook();
    const body = JSON.stringify({ id: sent.id, status: 'delivered' });
    const headers = receiptHeaders(body);
    const post = (signature: string) =>
      fetch(`${stack.dispatcher?.url ?? ''}/v1/receipts/webhook`, {
        method: 'POST',
        headers: { ...headers, 'x-otpflow-signature': signature },
        body,
      });
    expect((await post('sha256=00')).status).toBe(401);
    expect((await post(headers['x-otpflow-signature'] ?? '')).status).toBe(204);
    const updated = await stack.delivery(sent.authenticationId);
    expect(updated?.status).toBe('delivered');
    expect(updated?.deliveredAt).toBeInstanceOf(Date);
  });

  it('changes nothing for a receipt that arrives twice or out of order', async () => {
    const sent = await sentThroughWebhook();
    const deliveredEvents = () => eventsPublished('code.delivered');
    const before = await deliveredEvents();
    expect((await postReceipt({ id: sent.id, status: 'delivered' })).status).toBe(204);
    await waitFor(async () => (await deliveredEvents()) === before + 1, { what: 'the delivered event' });
    // The same receipt again (a provider retrying), then an older word arriving late.
    expect((await postReceipt({ id: sent.id, status: 'delivered' })).status).toBe(204);
    expect((await postReceipt({ id: sent.id, status: 'undelivered', errorCode: 'late' })).status).toBe(204);
    const delivery = await stack.delivery(sent.authenticationId);
    expect(delivery?.status).toBe('delivered');
    expect(delivery?.lastError).toBeUndefined();
    expect(await deliveredEvents()).toBe(before + 1);
  });

  it('ignores a receipt older than the one already applied', async () => {
    const sent = await sentThroughWebhook();
    const now = Math.floor(Date.now() / 1000);
    expect((await postReceipt({ id: sent.id, status: 'undelivered' }, now)).status).toBe(204);
    expect((await postReceipt({ id: sent.id, status: 'delivered' }, now - 30)).status).toBe(204);
    expect((await stack.delivery(sent.authenticationId))?.status).toBe('undelivered');
  });

  it('refuses a receipt signed outside the accepted window', async () => {
    const sent = await sentThroughWebhook();
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    expect((await postReceipt({ id: sent.id, status: 'delivered' }, anHourAgo)).status).toBe(401);
    expect((await stack.delivery(sent.authenticationId))?.status).toBe('sent');
  });

  it('keeps a provider error code it cannot bound out of the record and the metrics', async () => {
    const sent = await sentThroughWebhook();
    const response = await postReceipt({ id: sent.id, status: 'failed', errorCode: 'Fehler: <Zustellung>' });
    expect(response.status).toBe(204);
    expect((await stack.delivery(sent.authenticationId))?.lastError).toBe('receipt_other');
  });

  /** A code delivered through the webhook (the route's second provider), by its provider message id. */
  async function sentThroughWebhook(): Promise<{ id: string; authenticationId: string }> {
    twilio.scenario = 'reject-number';
    const authenticationId = await stack.sendCode(phone());
    const delivery = await waitFor(async () => {
      const found = await stack.delivery(authenticationId);
      return found?.providerMessageId ? found : undefined;
    });
    twilio.scenario = 'accept';
    return { id: String(delivery.providerMessageId), authenticationId };
  }

  function postReceipt(
    receipt: { id: string; status: string; errorCode?: string },
    timestamp = Math.floor(Date.now() / 1000),
  ): Promise<Response> {
    const body = JSON.stringify(receipt);
    return fetch(`${stack.dispatcher?.url ?? ''}/v1/receipts/webhook`, {
      method: 'POST',
      headers: receiptHeaders(body, { timestamp }),
      body,
    });
  }

  async function eventsPublished(type: string): Promise<number> {
    const metrics = await (await fetch(`${stack.dispatcher?.url ?? ''}/metrics`)).text();
    const line = new RegExp(
      `otpflow_events_published_total\\{[^}]*type="${type}"[^}]*outcome="confirmed"[^}]*\\} (\\d+)`,
    );
    return Number(line.exec(metrics)?.[1] ?? 0);
  }
});

/** SMS through Twilio only (which refuses every number), calls through the webhook, fallback on. */
const fallbackEnv = (twilio: TwilioFake) => ({
  SMS_PROVIDERS: 'twilio',
  VOICE_PROVIDERS: 'webhook',
  SMS_FALLBACK_TO_VOICE: 'true',
  TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_FROM: '+15005550006',
  TWILIO_BASE_URL: twilio.http.url,
});

describe('fallback from SMS to voice', () => {
  let stack: Stack;
  let twilio: TwilioFake;
  beforeAll(async () => {
    twilio = await new TwilioFake(ACCOUNT_SID, AUTH_TOKEN).start();
    twilio.scenario = 'reject-number';
    stack = await startStack('fallback', {
      dispatcherEnv: fallbackEnv(twilio),
    });
  });
  afterAll(async () => {
    await stack.stop();
    await twilio.close();
  });

  it('calls the number and reads the code twice when every SMS provider refuses it', async () => {
    const authenticationId = await stack.sendCode(phone());
    const call = await waitFor(() =>
      stack.accepted().find((message) => message.authenticationId === authenticationId),
    );
    expect(call.channel).toBe('voice');
    const spelled = /code is: ([\d, ]+)\./.exec(call.text)?.[1] ?? '';
    expect(call.text.split(spelled).length - 1).toBe(2);
    const code = spelled.replaceAll(', ', '');
    expect(await stack.validateCode(authenticationId, code)).toBe(204);
    expect((await stack.delivery(authenticationId))?.channel).toBe('voice');
  });
});

describe('fallback from SMS to voice, for a client whose policy allows SMS only', () => {
  let stack: Stack;
  let twilio: TwilioFake;
  beforeAll(async () => {
    twilio = await new TwilioFake(ACCOUNT_SID, AUTH_TOKEN).start();
    twilio.scenario = 'reject-number';
    stack = await startStack('smsonly', {
      startDispatcher: false,
      dispatcherEnv: fallbackEnv(twilio),
    });
    // The client's policy, stored before its first request: codes by SMS only, never a call.
    await stack.gateway.mongo.db
      ?.collection('client_policies')
      .insertOne({ _id: 'e2e-client' as never, channels: ['sms'], updatedAt: new Date() });
    await stack.startDispatcher();
  });
  afterAll(async () => {
    await stack.stop();
    await twilio.close();
  });

  it('never calls the number: the SMS that every provider refused is dead-lettered', async () => {
    const authenticationId = await stack.sendCode(phone());
    const delivery = await waitFor(async () => {
      const found = await stack.delivery(authenticationId);
      return found?.status === 'dead_lettered' ? found : undefined;
    });
    expect(delivery.channel).toBe('sms');
    expect(twilio.requests.length).toBeGreaterThanOrEqual(1);
    expect(stack.webhook.requests.filter((request) => request.body.includes(authenticationId))).toEqual([]);
  });
});
