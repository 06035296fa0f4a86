import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccuAuthFake, accuauthAnswer } from '../../fakes/accuauth.fake.js';
import { startComponentDispatcher, type ComponentDispatcher } from '../harness.js';

const API_ID = 'df-api-id-0001';
const API_SECRET = 'df-api-secret-0001-abcdef';

/**
 * AccuAuth documents no delivery report (seed 004): what it tells is the billed messages of its
 * answer (charge_info.charge), which the delivery record and code.sent keep.
 */
describe('accuauth in the dispatcher: billed parts, no receipts', () => {
  let fake: AccuAuthFake;
  let it_: ComponentDispatcher;

  beforeEach(async () => {
    fake = await new AccuAuthFake(API_ID, API_SECRET).start();
    it_ = await startComponentDispatcher(
      {
        SMS_PROVIDERS: 'accuauth',
        ACCUAUTH_API_ID: API_ID,
        ACCUAUTH_API_SECRET: API_SECRET,
        ACCUAUTH_TEMPLATE_ID: 'tpl_otp_en_01',
        ACCUAUTH_BASE_URL: fake.http.url,
      },
      { providers: 'configured' },
    );
  });
  afterEach(async () => {
    await it_.stop();
    await fake.close();
  });

  it('keeps the charge of the answer on the delivery and in code.sent', async () => {
    fake.http.respondWith(() => accuauthAnswer(200, 'OK', { charge_info: { charge: 2 } }));
    const job = it_.publish();
    await it_.jobs.idle();
    expect(it_.store.deliveries.get(job.jobId)).toMatchObject({ status: 'sent', billedParts: 2 });
    expect(it_.store.deliveries.get(job.jobId)).not.toHaveProperty('price');
    expect(it_.events.ofType('code.sent')[0]?.billed).toEqual({ parts: 2 });
  });

  it("sends a job whose recipient IP is IPv6, keeping the IP out of the template's content", async () => {
    const job = it_.publish({}, {}, { recipientIp: '2001:db8::7', variables: { app: 'CoolApp' } });
    await it_.jobs.idle();
    expect(it_.store.deliveries.get(job.jobId)?.status).toBe('sent');
    const body = JSON.parse(fake.requests.at(-1)?.body ?? '{}') as { content?: string };
    expect(body.content).toMatch(/^code:482913,expire_at:\d+,app:CoolApp$/);
  });

  it('takes no receipts for it', async () => {
    const answer = await fetch(`${it_.dispatcher.url}/v1/receipts/accuauth`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(404);
  });
});
