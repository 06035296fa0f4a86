import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TwilioFake } from '../../fakes/twilio.fake.js';
import { startComponentDispatcher, type ComponentDispatcher } from '../harness.js';

const ACCOUNT_SID = `AC${'a1b2c3d4'.repeat(4)}`;
const AUTH_TOKEN = 'f'.repeat(32);
const API_KEY = { sid: `SK${'9f8e7d6c'.repeat(4)}`, secret: 'Zr7QmW2pXk9LbV4nHs6TjY1cFd8GaE3u' };

/**
 * Twilio end to end in the dispatcher: the real provider sends (with an API key) to a local Twilio
 * API, which then posts its status callbacks, signed with the auth token, to the URL it was given.
 */
describe('twilio delivery receipts', () => {
  let fake: TwilioFake;
  let it_: ComponentDispatcher;
  let jobId: string;
  let sid: string;

  const callbackUrl = () => `${it_.dispatcher.url}/v1/receipts/twilio`;
  const send = async () => {
    const job = it_.publish();
    await it_.jobs.idle();
    return { jobId: job.jobId, sid: it_.store.deliveries.get(job.jobId)?.providerMessageId ?? '' };
  };
  const status = (value: Parameters<TwilioFake['sendStatusCallback']>[2], options = {}) =>
    fake.sendStatusCallback(callbackUrl(), sid, value, options);
  const delivery = () => it_.store.deliveries.get(jobId);

  beforeEach(async () => {
    fake = await new TwilioFake(ACCOUNT_SID, AUTH_TOKEN, API_KEY).start();
    // Twilio signs over the URL it calls: the dispatcher's own, here (no PUBLIC_BASE_URL).
    it_ = await startComponentDispatcher(
      {
        SMS_PROVIDERS: 'twilio',
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_API_KEY_SID: API_KEY.sid,
        TWILIO_API_KEY_SECRET: API_KEY.secret,
        TWILIO_FROM: '+14155550100',
        TWILIO_BASE_URL: fake.http.url,
      },
      { providers: 'configured' },
    );
    ({ jobId, sid } = await send());
  });
  afterEach(async () => {
    await it_.stop();
    await fake.close();
  });

  it('records the segments of the answer, and marks the message delivered once', async () => {
    expect(delivery()).toMatchObject({
      status: 'sent',
      provider: 'twilio',
      providerMessageId: sid,
      billedParts: 1,
    });
    expect((await status('sent')).status).toBe(204);
    expect((await status('delivered')).status).toBe(204);
    expect((await status('delivered')).status).toBe(204);
    expect(delivery()?.status).toBe('delivered');
    expect(it_.events.ofType('code.delivered')).toHaveLength(1);
  });

  it('never takes delivered back; keeps the error code of an undelivered message', async () => {
    await status('delivered');
    await status('undelivered', { errorCode: '30003' });
    expect(delivery()?.status).toBe('delivered');

    ({ jobId, sid } = await send());
    await status('undelivered', { errorCode: '30005' });
    expect(delivery()).toMatchObject({ status: 'undelivered', lastError: 'receipt_30005' });
    await status('failed', { errorCode: '30008' });
    expect(it_.events.ofType('code.undelivered')).toHaveLength(1);
  });

  it('refuses a callback signed with anything but the auth token', async () => {
    expect((await status('delivered', { authToken: API_KEY.secret })).status).toBe(401);
    expect(delivery()?.status).toBe('sent');
  });
});
