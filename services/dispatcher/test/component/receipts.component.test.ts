import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECEIPT_SECRET, startComponentDispatcher, type ComponentDispatcher } from './harness.js';

/** Delivery receipts over the dispatcher's real HTTP endpoint, into the in-memory store. */
describe('delivery receipts', () => {
  let it_: ComponentDispatcher;
  let providerMessageId: string;
  let jobId: string;
  beforeEach(async () => {
    it_ = await startComponentDispatcher();
    jobId = it_.publish().jobId;
    await it_.jobs.idle();
    providerMessageId = it_.store.deliveries.get(jobId)?.providerMessageId ?? '';
  });
  afterEach(async () => {
    await it_.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  function post(receipt: Record<string, unknown>, timestamp = now(), secret = RECEIPT_SECRET) {
    const body = JSON.stringify(receipt);
    const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    return fetch(`${it_.dispatcher.url}/v1/receipts/webhook`, {
      method: 'POST',
      headers: { 'x-otpflow-signature': `sha256=${signature}`, 'x-otpflow-timestamp': String(timestamp) },
      body,
    });
  }
  const status = () => it_.store.deliveries.get(jobId)?.status;

  it('marks the message delivered once, and tells the metrics once', async () => {
    expect((await post({ id: providerMessageId, status: 'delivered' })).status).toBe(204);
    expect((await post({ id: providerMessageId, status: 'delivered' })).status).toBe(204);
    expect(status()).toBe('delivered');
    expect(it_.events.ofType('code.delivered')).toHaveLength(1);
    expect(await it_.metric('otpflow_delivery_receipts_total', { outcome: 'ignored' })).toBe(1);
  });

  it('never takes a delivered message back to undelivered', async () => {
    await post({ id: providerMessageId, status: 'delivered' });
    await post({ id: providerMessageId, status: 'failed', errorCode: 30003 });
    expect(status()).toBe('delivered');
    expect(it_.events.ofType('code.undelivered')).toEqual([]);
  });

  it('lets a later delivered win over undelivered, but not an older one', async () => {
    await post({ id: providerMessageId, status: 'undelivered' }, now());
    await post({ id: providerMessageId, status: 'delivered' }, now() - 60);
    expect(status()).toBe('undelivered');
    await post({ id: providerMessageId, status: 'delivered' }, now() + 1);
    expect(status()).toBe('delivered');
    expect(it_.store.deliveries.get(jobId)?.lastError).toBeUndefined();
  });

  it('refuses a receipt outside the window, unsigned, or signed with another secret', async () => {
    expect((await post({ id: providerMessageId, status: 'delivered' }, now() - 600)).status).toBe(401);
    expect((await post({ id: providerMessageId, status: 'delivered' }, now() + 600)).status).toBe(401);
    expect(
      (await post({ id: providerMessageId, status: 'delivered' }, now(), 'another-secret-0000')).status,
    ).toBe(401);
    const unsigned = await fetch(`${it_.dispatcher.url}/v1/receipts/webhook`, {
      method: 'POST',
      body: JSON.stringify({ id: providerMessageId, status: 'delivered' }),
    });
    expect(unsigned.status).toBe(401);
    expect(status()).toBe('sent');
  });

  it('stores and labels a vendor error code only when it is bounded', async () => {
    await post({ id: providerMessageId, status: 'failed', errorCode: 'x'.repeat(40) });
    expect(it_.store.deliveries.get(jobId)?.lastError).toBe('receipt_other');
    expect(it_.events.ofType('code.undelivered')[0]?.reason).toBe('receipt_other');
  });

  it('keeps a short vendor code as it is', async () => {
    await post({ id: providerMessageId, status: 'failed', errorCode: 'EC_30003' });
    expect(it_.store.deliveries.get(jobId)?.lastError).toBe('receipt_EC_30003');
  });

  it('answers 503 while the store cannot take a receipt, so the provider sends it again', async () => {
    it_.store.failWith = new Error('database down');
    const answer = await post({ id: providerMessageId, status: 'delivered' });
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    it_.store.failWith = undefined;
    expect((await post({ id: providerMessageId, status: 'delivered' })).status).toBe(204);
    expect(status()).toBe('delivered');
  });

  it('accepts and ignores a receipt for a message it does not know', async () => {
    expect((await post({ id: 'nobody-knows', status: 'delivered' })).status).toBe(204);
    expect(await it_.metric('otpflow_delivery_receipts_total', { outcome: 'unknown_message' })).toBe(1);
  });
});
