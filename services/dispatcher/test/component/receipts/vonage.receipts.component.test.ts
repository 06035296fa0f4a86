import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VonageFake, vonageAnswer, type VonageDlrFields } from '../../fakes/vonage.fake.js';
import { startComponentDispatcher, type ComponentDispatcher } from '../harness.js';

const API_KEY = 'a1b2c3d4';
const API_SECRET = 'S3cr3tS3cr3tS3cr';
const SIGNATURE_SECRET = 'vonage-signature-secret-0123';

/**
 * Vonage end to end in the dispatcher: the real provider sends to a local Vonage SMS API, which then
 * posts its signed DLRs (form or JSON, as the account is set) to the dispatcher's receipts endpoint.
 */
describe('vonage delivery receipts', () => {
  let fake: VonageFake;
  let it_: ComponentDispatcher;
  let jobId: string;
  let messageId: string;

  const start = async () => {
    it_ = await startComponentDispatcher(
      {
        SMS_PROVIDERS: 'vonage',
        VONAGE_API_KEY: API_KEY,
        VONAGE_API_SECRET: API_SECRET,
        VONAGE_BASE_URL: fake.http.url,
        VONAGE_SIGNATURE_SECRET: SIGNATURE_SECRET,
        VONAGE_SIGNATURE_METHOD: 'sha256hmac',
      },
      { providers: 'configured' },
    );
  };
  const send = async () => {
    const job = it_.publish();
    await it_.jobs.idle();
    return { jobId: job.jobId, messageId: it_.store.deliveries.get(job.jobId)?.providerMessageId ?? '' };
  };
  const dlr = (fields: Partial<VonageDlrFields>, options: Parameters<VonageFake['sendDlr']>[2] = {}) =>
    fake.sendDlr(
      `${it_.dispatcher.url}/v1/receipts/vonage`,
      { messageId, status: 'delivered', ...fields },
      options,
    );
  const delivery = () => it_.store.deliveries.get(jobId);
  const now = () => Math.floor(Date.now() / 1000);

  beforeEach(async () => {
    fake = await new VonageFake(API_KEY, API_SECRET, {
      secret: SIGNATURE_SECRET,
      method: 'sha256hmac',
    }).start();
    await start();
    ({ jobId, messageId } = await send());
  });
  afterEach(async () => {
    await it_.stop();
    await fake.close();
  });

  it('records the billed parts and price of the answer, and tells the cost metrics once', async () => {
    expect(delivery()).toMatchObject({
      status: 'sent',
      provider: 'vonage',
      billedParts: 1,
      price: { amount: '0.0333', currency: 'EUR' },
    });
    expect(it_.events.ofType('code.sent')[0]?.billed).toEqual({
      parts: 1,
      price: { amount: '0.0333', currency: 'EUR' },
    });
    expect((await dlr({})).status).toBe(204);
    // The DLR's price is the same message's: it is not told twice.
    expect(it_.events.ofType('code.delivered')[0]).not.toHaveProperty('billed');
  });

  it.each(['form', 'json'] as const)(
    'marks the message delivered from a signed DLR posted as %s, once',
    async (format) => {
      expect((await dlr({}, { format })).status).toBe(204);
      expect((await dlr({}, { format })).status).toBe(204);
      expect(delivery()?.status).toBe('delivered');
      expect(it_.events.ofType('code.delivered')).toHaveLength(1);
      expect(
        await it_.metric('otpflow_delivery_receipts_total', { provider: 'vonage', outcome: 'ignored' }),
      ).toBe(1);
    },
  );

  it('changes nothing on a failed DLR after delivered, nor on an older delivered after undelivered', async () => {
    await dlr({ status: 'delivered' });
    await dlr({ status: 'failed', 'err-code': '6' });
    expect(delivery()?.status).toBe('delivered');
    expect(it_.events.ofType('code.undelivered')).toEqual([]);

    ({ jobId, messageId } = await send());
    await dlr({ status: 'expired', 'err-code': '1', timestamp: now() });
    expect(delivery()).toMatchObject({ status: 'undelivered', lastError: 'receipt_1' });
    expect(it_.events.ofType('code.undelivered')[0]?.reason).toBe('receipt_1');
    await dlr({ status: 'delivered', timestamp: now() - 60 });
    expect(delivery()?.status).toBe('undelivered');
    // A later word from the carrier (it retried) wins.
    await dlr({ status: 'delivered', timestamp: now() + 1 });
    expect(delivery()?.status).toBe('delivered');
  });

  it('takes intermediate DLRs as no final word', async () => {
    await dlr({ status: 'accepted' });
    await dlr({ status: 'buffered' });
    expect(delivery()?.status).toBe('sent');
    expect(
      await it_.metric('otpflow_delivery_receipts_total', { provider: 'vonage', outcome: 'pending' }),
    ).toBe(2);
  });

  it('refuses a DLR signed with another secret or outside the window, and changes nothing', async () => {
    expect((await dlr({}, { secret: 'another-secret-00000000' })).status).toBe(401);
    expect((await dlr({ timestamp: now() - 600 })).status).toBe(401);
    const unsigned = await fetch(`${it_.dispatcher.url}/v1/receipts/vonage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ messageId, status: 'delivered' }).toString(),
    });
    expect(unsigned.status).toBe(401);
    expect(delivery()?.status).toBe('sent');
    expect(
      await it_.metric('otpflow_delivery_receipts_total', { provider: 'vonage', outcome: 'rejected' }),
    ).toBe(3);
  });

  it("keeps the DLR's price when the answer had none, and tells it with the receipt", async () => {
    fake.http.respondWith(() => vonageAnswer([{ status: '0', 'message-id': '0B00000000000001' }]));
    ({ jobId, messageId } = await send());
    expect(delivery()).not.toHaveProperty('price');
    await dlr({ price: '0.04120000' });
    await dlr({ price: '0.04120000' });
    expect(delivery()?.price).toEqual({ amount: '0.0412', currency: 'EUR' });
    const delivered = it_.events.ofType('code.delivered');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.billed).toEqual({ price: { amount: '0.0412', currency: 'EUR' } });
  });

  it('takes no DLR at all without a signature secret', async () => {
    await it_.stop();
    it_ = await startComponentDispatcher(
      {
        SMS_PROVIDERS: 'vonage',
        VONAGE_API_KEY: API_KEY,
        VONAGE_API_SECRET: API_SECRET,
        VONAGE_BASE_URL: fake.http.url,
      },
      { providers: 'configured' },
    );
    expect((await dlr({})).status).toBe(404);
  });
});
