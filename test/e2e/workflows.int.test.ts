import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioFake } from '../../services/dispatcher/test/fakes/twilio.fake.js';
import { API_KEY, receiptHeaders, startStack, type Stack, type WebhookMessage } from '../support/stack.js';

const ACCOUNT_SID = `AC${'e'.repeat(32)}`;
const AUTH_TOKEN = 'f'.repeat(32);
let numbers = 0;
const phone = () => `+3461${String(2_000_000 + (numbers += 1)).padStart(7, '0')}`;

async function create(stack: Stack, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${stack.gateway.url}/v1/verifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to: phone(), ...body }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function check(stack: Stack, id: string, code: string): Promise<boolean> {
  const response = await fetch(`${stack.gateway.url}/v1/verifications/${id}/check`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  return ((await response.json()) as { valid: boolean }).valid;
}

const messagesOf = (stack: Stack, id: string): WebhookMessage[] =>
  stack.accepted().filter((message) => message.authenticationId === id);
const smsCode = (message: WebhookMessage | undefined) => /(\d{6})/.exec(message?.text ?? '')?.[1] ?? '';
const spokenCode = (message: WebhookMessage | undefined) =>
  (/code is: ([\d, ]+)\./.exec(message?.text ?? '')?.[1] ?? '').replaceAll(', ', '');

async function jobsCounted(stack: Stack, outcome: string): Promise<number> {
  const text = await (await fetch(`${stack.dispatcher?.url ?? ''}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) => line.startsWith('otpflow_dispatcher_jobs_total{') && line.includes(`outcome="${outcome}"`),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/**
 * Channel workflows end to end: native creates through the gateway, the job and its step timers
 * through the real RabbitMQ (the 15 s step tier), the code's state read from the real store, SMS and
 * calls through the webhook provider to a local in-house gateway.
 */
describe('channel workflows', () => {
  let stack: Stack;
  // The timeout and the cancel paths wait out the same 15 s tier together.
  let timedOut: string;
  let verified: string;
  let verifiedWith: boolean;
  const workflow = [{ channel: 'sms', timeoutSeconds: 15 }, { channel: 'voice' }];
  beforeAll(async () => {
    stack = await startStack('workflows');
    [timedOut, verified] = await Promise.all([create(stack, { workflow }), create(stack, { workflow })]);
    // Verified at once, well before its step times out.
    const sms = await waitFor(() => messagesOf(stack, verified)[0], { what: 'the SMS' });
    verifiedWith = await check(stack, verified, smsCode(sms));
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('calls with the same code when the SMS code is not verified before its step times out', async () => {
    const sms = await waitFor(() => messagesOf(stack, timedOut)[0], { what: 'the SMS' });
    expect(sms.channel).toBe('sms');
    const call = await waitFor(() => messagesOf(stack, timedOut)[1], { timeoutMs: 40_000, what: 'the call' });
    expect(call.channel).toBe('voice');
    expect(spokenCode(call)).toBe(smsCode(sms));
    expect(await check(stack, timedOut, spokenCode(call))).toBe(true);
    expect((await stack.delivery(timedOut))?.channel).toBe('voice');
  }, 60_000);

  it('cancels the rest of the workflow once the code is verified', async () => {
    expect(verifiedWith).toBe(true);
    // The timer still fires: the dispatcher reads the code's state and sends nothing.
    await waitFor(async () => (await jobsCounted(stack, 'step_canceled')) >= 1, {
      timeoutMs: 40_000,
      what: 'the canceled step',
    });
    expect(messagesOf(stack, verified)).toHaveLength(1);
  }, 60_000);

  it('calls at once when the SMS receipt says undelivered', async () => {
    const id = await create(stack, {
      workflow: [{ channel: 'sms', timeoutSeconds: 240 }, { channel: 'voice' }],
    });
    await waitFor(() => messagesOf(stack, id)[0], { what: 'the SMS' });
    const delivery = await waitFor(async () => {
      const record = await stack.delivery(id);
      return record?.providerMessageId ? record : undefined;
    });
    const body = JSON.stringify({ id: delivery.providerMessageId, status: 'failed', errorCode: '30003' });
    const answer = await fetch(`${stack.dispatcher?.url ?? ''}/v1/receipts/webhook`, {
      method: 'POST',
      headers: receiptHeaders(body),
      body,
    });
    expect(answer.status).toBe(204);
    const call = await waitFor(() => messagesOf(stack, id)[1], { what: 'the call' });
    expect(call.channel).toBe('voice');
  }, 30_000);
});

describe('channel workflows: a permanent provider failure', () => {
  let stack: Stack;
  let twilio: TwilioFake;
  beforeAll(async () => {
    twilio = await new TwilioFake(ACCOUNT_SID, AUTH_TOKEN).start();
    twilio.scenario = 'reject-number';
    stack = await startStack('workflowfail', {
      dispatcherEnv: {
        SMS_PROVIDERS: 'twilio',
        VOICE_PROVIDERS: 'webhook',
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

  it('calls at once when every SMS provider refuses the number for good', async () => {
    const id = await create(stack, {
      workflow: [{ channel: 'sms', timeoutSeconds: 240 }, { channel: 'voice' }],
    });
    const call = await waitFor(() => messagesOf(stack, id)[0], { what: 'the call' });
    expect(call.channel).toBe('voice');
    expect(twilio.requests.length).toBeGreaterThanOrEqual(1);
    expect(await check(stack, id, spokenCode(call))).toBe(true);
  }, 30_000);
});
