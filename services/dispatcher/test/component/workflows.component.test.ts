import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOB_HEADERS } from '../../src/consume/job-headers.js';
import { RECEIPT_SECRET, startComponentDispatcher, type ComponentDispatcher } from './harness.js';

/**
 * Channel workflows through the real handler, with the in-memory broker and stores: SMS and calls by
 * the (scripted) webhook provider, its answers scripted call by call. A step's timer waits in the in-memory delay
 * tier until the test lets its TTL run out.
 */
describe('channel workflows', () => {
  let it_: ComponentDispatcher;
  beforeEach(async () => {
    it_ = await startComponentDispatcher({ SMS_PROVIDERS: 'webhook', VOICE_PROVIDERS: 'webhook' });
  });
  afterEach(async () => {
    await it_.stop();
  });

  const STEP_TIMER_MS = 15_000;
  const smsThenVoice = [
    { channel: 'sms' as const, timeoutSeconds: 15 },
    { channel: 'voice' as const, timeoutSeconds: 30 },
    { channel: 'sms' as const },
  ];
  const settled = () => it_.jobs.idle(STEP_TIMER_MS);
  const channels = () =>
    it_.webhook.messages.map((message) => `${message.channel}:${message.idempotencyKey}`);
  const calls = () => it_.webhook.messages.filter((message) => message.channel === 'voice');

  it('sends the first step and starts its timer; when it runs out the next step calls with the same code', async () => {
    const job = it_.publish({ workflow: smsThenVoice, options: { voiceLanguage: 'es-ES' } });
    await settled();
    expect(channels()).toEqual([`sms:${job.jobId}:first`]);
    expect(it_.jobs.delays).toEqual([STEP_TIMER_MS]);
    expect(it_.store.deliveries.get(job.jobId)).toMatchObject({ status: 'sent', channel: 'sms' });

    it_.jobs.expireDelays();
    await settled();
    expect(it_.sessions.asked).toEqual([job.jobId]);
    const [sms, call] = it_.webhook.messages;
    expect(call).toMatchObject({ channel: 'voice', code: sms?.code });
    expect(call?.idempotencyKey).toBe(`${job.jobId}:first:step-1`);
    // The verification's language: the call speaks Spanish.
    expect(call?.voice?.language).toBe('es-ES');
    expect(it_.store.deliveries.get(job.jobId)).toMatchObject({ status: 'sent', channel: 'voice' });
    // The call's own timer, for the third step.
    expect(it_.jobs.delays).toEqual([30_000]);
  });

  it('cancels the rest once the code is verified: the fired step sends nothing', async () => {
    const job = it_.publish({ workflow: smsThenVoice });
    await settled();
    it_.sessions.end(job.jobId);
    it_.jobs.expireDelays();
    await settled();
    expect(channels()).toEqual([`sms:${job.jobId}:first`]);
    expect(it_.jobs.delays).toEqual([]);
    expect(
      await it_.metric('otpflow_dispatcher_jobs_total', { outcome: 'step_canceled', channel: 'sms' }),
    ).toBe(1);
  });

  it('runs the next step at once when every SMS provider refuses the code for good', async () => {
    it_.webhook.answer('rejected', 'accept');
    const job = it_.publish({ workflow: smsThenVoice });
    await settled();
    expect(channels()).toEqual([`sms:${job.jobId}:first`, `voice:${job.jobId}:first:step-1`]);
    expect(it_.store.deliveries.get(job.jobId)).toMatchObject({ status: 'sent', channel: 'voice' });
    expect(it_.jobs.deadLetters).toEqual([]);
    expect(await it_.metric('otpflow_dispatcher_jobs_total', { outcome: 'next_step', channel: 'sms' })).toBe(
      1,
    );
  });

  it('runs the next step at once on an undelivered receipt, and only once when its timer fires too', async () => {
    const job = it_.publish({ workflow: smsThenVoice });
    await settled();
    const id = it_.store.deliveries.get(job.jobId)?.providerMessageId ?? '';
    expect((await receipt({ id, status: 'failed', errorCode: 30003 })).status).toBe(204);
    await settled();
    expect(channels()).toEqual([`sms:${job.jobId}:first`, `voice:${job.jobId}:first:step-1`]);

    // The first step's timer runs out later: the step already ran, its lease makes this a duplicate.
    it_.jobs.expireDelays();
    await settled();
    expect(calls()).toHaveLength(1);
    expect(await it_.metric('otpflow_dispatcher_jobs_total', { outcome: 'duplicate', channel: 'sms' })).toBe(
      1,
    );
  });

  it('never starts a step the job does not allow, and dead-letters the last step that fails', async () => {
    it_.webhook.answer('rejected');
    const job = it_.publish({ allowedChannels: ['sms'] });
    await settled();
    expect(channels()).toEqual([`sms:${job.jobId}:first`]);
    expect(it_.jobs.deadLetters.map((letter) => letter.headers[JOB_HEADERS.reason])).toEqual([
      'permanent_failure',
    ]);
  });

  it('defers a later step while the code state cannot be read, then runs it', async () => {
    const job = it_.publish({ workflow: smsThenVoice });
    await settled();
    it_.sessions.failWith = new Error('database down');
    it_.jobs.expireDelays();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls()).toHaveLength(0);
    it_.sessions.failWith = undefined;
    await settled();
    expect(channels()).toEqual([`sms:${job.jobId}:first`, `voice:${job.jobId}:first:step-1`]);
  });

  it('keeps SMS_FALLBACK_TO_VOICE as the default workflow of jobs without one', async () => {
    await it_.stop();
    it_ = await startComponentDispatcher({
      SMS_PROVIDERS: 'webhook',
      VOICE_PROVIDERS: 'webhook',
      SMS_FALLBACK_TO_VOICE: 'true',
    });
    const job = it_.publish();
    await settled();
    // No timeout in the default: the call follows only a failure.
    expect(it_.jobs.delays).toEqual([]);
    expect(it_.store.deliveries.get(job.jobId)?.nextStep).toMatchObject({ step: 1, run: 'first' });
  });

  function receipt(body: Record<string, unknown>): Promise<Response> {
    const text = JSON.stringify(body);
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', RECEIPT_SECRET).update(`${timestamp}.${text}`).digest('hex');
    return fetch(`${it_.dispatcher.url}/v1/receipts/webhook`, {
      method: 'POST',
      headers: { 'x-otpflow-signature': `sha256=${signature}`, 'x-otpflow-timestamp': String(timestamp) },
      body: text,
    });
  }
});
