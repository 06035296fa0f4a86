import smpp from 'smpp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@otpflow/testing';
import { FakeSmsc } from '../../fakes/smpp.fake.js';
import { startComponentDispatcher, type ComponentDispatcher } from '../harness.js';

const CREDENTIALS = { systemId: 'otpflow', password: 'pa55w0rd' };

/**
 * SMPP end to end in the dispatcher: the real provider binds to a local SMSC and submits; the SMSC
 * sends its delivery receipts back as deliver_sm on that session, and reads the deliver_sm_resp.
 */
describe('smpp delivery receipts', () => {
  let smsc: FakeSmsc;
  let it_: ComponentDispatcher;
  let jobId: string;
  let messageId: string;

  const send = async () => {
    const job = it_.publish();
    await it_.jobs.idle();
    return { jobId: job.jobId, messageId: it_.store.deliveries.get(job.jobId)?.providerMessageId ?? '' };
  };
  const delivery = () => it_.store.deliveries.get(jobId);

  beforeEach(async () => {
    smsc = await new FakeSmsc(CREDENTIALS).start();
    it_ = await startComponentDispatcher(
      {
        SMS_PROVIDERS: 'smpp',
        SMPP_URL: smsc.url,
        SMPP_SYSTEM_ID: CREDENTIALS.systemId,
        SMPP_PASSWORD: CREDENTIALS.password,
        SMPP_SOURCE_ADDR: 'CoolApp',
      },
      { providers: 'configured' },
    );
    ({ jobId, messageId } = await send());
  });
  afterEach(async () => {
    await it_.stop();
    await smsc.close();
  });

  it('binds at start, so receipts need not wait for a send', async () => {
    await it_.stop();
    await smsc.close();
    smsc = await new FakeSmsc(CREDENTIALS).start();
    it_ = await startComponentDispatcher(
      {
        SMS_PROVIDERS: 'smpp',
        SMPP_URL: smsc.url,
        SMPP_SYSTEM_ID: CREDENTIALS.systemId,
        SMPP_PASSWORD: CREDENTIALS.password,
        SMPP_SOURCE_ADDR: 'CoolApp',
      },
      { providers: 'configured' },
    );
    await waitFor(() => (smsc.binds.length === 1 ? true : undefined), { what: 'the bind at start' });
    expect(smsc.submits).toHaveLength(0);
  });

  it.each(['tlv', 'text-only'] as const)(
    'marks the message delivered from a receipt (%s), once',
    async (form) => {
      expect(await smsc.sendReceipt(messageId, 'DELIVRD', { form })).toBe(smpp.errors.ESME_ROK);
      expect(await smsc.sendReceipt(messageId, 'DELIVRD', { form })).toBe(smpp.errors.ESME_ROK);
      expect(delivery()?.status).toBe('delivered');
      expect(it_.events.ofType('code.delivered')).toHaveLength(1);
      expect(
        await it_.metric('otpflow_delivery_receipts_total', { provider: 'smpp', outcome: 'ignored' }),
      ).toBe(1);
    },
  );

  it('never takes delivered back; an undelivered receipt gives its reason', async () => {
    await smsc.sendReceipt(messageId, 'DELIVRD');
    await smsc.sendReceipt(messageId, 'UNDELIV');
    expect(delivery()?.status).toBe('delivered');

    ({ jobId, messageId } = await send());
    await smsc.sendReceipt(messageId, 'EXPIRED', { err: '027' });
    expect(delivery()).toMatchObject({ status: 'undelivered', lastError: 'receipt_027' });
    expect(it_.events.ofType('code.undelivered')[0]?.reason).toBe('receipt_027');
  });

  it('takes an intermediate notification or an en-route receipt as no final word', async () => {
    await smsc.sendReceipt(messageId, 'ENROUTE');
    await smsc.sendReceipt(messageId, 'DELIVRD', { intermediate: true });
    expect(delivery()?.status).toBe('sent');
  });

  it('asks the SMSC to send a receipt again while it cannot be recorded', async () => {
    it_.store.failWith = new Error('database down');
    expect(await smsc.sendReceipt(messageId, 'DELIVRD')).toBe(smpp.errors.ESME_RX_T_APPN);
    expect(delivery()?.status).toBe('sent');
    it_.store.failWith = undefined;
    expect(await smsc.sendReceipt(messageId, 'DELIVRD')).toBe(smpp.errors.ESME_ROK);
    expect(delivery()?.status).toBe('delivered');
  });

  it('acks a receipt for a message it does not know, and has no HTTP receipts', async () => {
    expect(await smsc.sendReceipt('nobody-knows', 'DELIVRD')).toBe(smpp.errors.ESME_ROK);
    expect(
      await it_.metric('otpflow_delivery_receipts_total', { provider: 'smpp', outcome: 'unknown_message' }),
    ).toBe(1);
    const answer = await fetch(`${it_.dispatcher.url}/v1/receipts/smpp`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(404);
  });
});
