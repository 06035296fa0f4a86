import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OctopushFake, type OctopushReceiptStatus } from '../../fakes/octopush.fake.js';
import { startComponentDispatcher, type ComponentDispatcher } from '../harness.js';

const LOGIN = 'ops@example.com';
const KEY = 'octopush-api-key-0123456789';
const TOKEN = 'octopush-receipt-token-0123456789abcdef';

/**
 * Octopush end to end in the dispatcher: the real provider sends to a local Octopush OTP API, which
 * then calls its acknowledgement-of-receipt callback URL (with the token otpflow gave it).
 */
describe('octopush delivery receipts', () => {
  let fake: OctopushFake;
  let it_: ComponentDispatcher;
  let jobId: string;
  let ticket: string;

  const send = async () => {
    const job = it_.publish();
    await it_.jobs.idle();
    return { jobId: job.jobId, ticket: it_.store.deliveries.get(job.jobId)?.providerMessageId ?? '' };
  };
  const callback = (token = TOKEN) => `${it_.dispatcher.url}/v1/receipts/octopush?token=${token}`;
  const receipt = (status: OctopushReceiptStatus, token?: string) =>
    fake.sendReceipt(callback(token), ticket, status);
  const delivery = () => it_.store.deliveries.get(jobId);

  beforeEach(async () => {
    fake = await new OctopushFake(LOGIN, KEY).start();
    it_ = await startComponentDispatcher(
      {
        SMS_PROVIDERS: 'octopush',
        OCTOPUSH_API_LOGIN: LOGIN,
        OCTOPUSH_API_KEY: KEY,
        OCTOPUSH_BASE_URL: fake.http.url,
        OCTOPUSH_RECEIPT_TOKEN: TOKEN,
      },
      { providers: 'configured' },
    );
    ({ jobId, ticket } = await send());
  });
  afterEach(async () => {
    await it_.stop();
    await fake.close();
  });

  it('marks the message delivered from its ticket, once', async () => {
    expect(ticket).toBe(fake.accepted[0]?.ticket);
    expect((await receipt('DELIVERED')).status).toBe(204);
    expect((await receipt('DELIVERED')).status).toBe(204);
    expect(delivery()?.status).toBe('delivered');
    expect(it_.events.ofType('code.delivered')).toHaveLength(1);
    expect(
      await it_.metric('otpflow_delivery_receipts_total', { provider: 'octopush', outcome: 'ignored' }),
    ).toBe(1);
  });

  it('keeps the refusal as the reason, never takes delivered back, lets a later delivered win', async () => {
    await receipt('BAD_DESTINATION');
    expect(delivery()).toMatchObject({ status: 'undelivered', lastError: 'receipt_BAD_DESTINATION' });
    expect(it_.events.ofType('code.undelivered')[0]?.reason).toBe('receipt_BAD_DESTINATION');
    await receipt('NOT_DELIVERED');
    expect(it_.events.ofType('code.undelivered')).toHaveLength(1);
    await receipt('DELIVERED');
    expect(delivery()?.status).toBe('delivered');
    await receipt('NOT_DELIVERED');
    expect(delivery()?.status).toBe('delivered');
    expect(it_.events.ofType('code.undelivered')).toHaveLength(1);
  });

  it('takes an ACK or an unknown delivery as no final word', async () => {
    await receipt('ACK');
    await receipt('UNKNOWN_DELIVERY');
    expect(delivery()?.status).toBe('sent');
  });

  it('refuses a callback without the token or with another, and changes nothing', async () => {
    expect((await receipt('DELIVERED', 'wrong-token-0000000000000000000000')).status).toBe(401);
    const untokened = await fetch(`${it_.dispatcher.url}/v1/receipts/octopush`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message_id: ticket, status: 'DELIVERED' }),
    });
    expect(untokened.status).toBe(401);
    expect(delivery()?.status).toBe('sent');
  });

  it('answers 400 to a tokened callback that names no message', async () => {
    const answer = await fetch(callback(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'DELIVERED' }),
    });
    expect(answer.status).toBe(400);
  });
});
