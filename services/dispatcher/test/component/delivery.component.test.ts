import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOB_HEADERS } from '../../src/consume/job-headers.js';
import { startComponentDispatcher, type ComponentDispatcher } from './harness.js';

/** The send job flow end to end inside the dispatcher: real handler, router and effects, fake ports. */
describe('the dispatcher with in-memory ports', () => {
  let it_: ComponentDispatcher;
  beforeEach(async () => {
    it_ = await startComponentDispatcher();
  });
  afterEach(async () => {
    await it_.stop();
  });

  const deliveryOf = (jobId: string) => it_.store.deliveries.get(jobId);
  const typesOf = (authenticationId: string) =>
    it_.events.events
      .filter((event) => event.authenticationId === authenticationId)
      .map((event) => event.type);

  it('sends through the first provider of the route, records it, tells the metrics, acks', async () => {
    const job = it_.publish();
    await it_.jobs.idle();
    expect(it_.webhook.calls).toBe(1);
    expect(it_.webhook.messages[0]).toMatchObject({
      to: '+34612345678',
      idempotencyKey: `${job.jobId}:first`,
    });
    expect(deliveryOf(job.jobId)).toMatchObject({
      status: 'sent',
      provider: 'webhook',
      attempts: 1,
      parts: 1,
    });
    expect(typesOf(job.authenticationId)).toEqual(['code.sent']);
    expect(it_.jobs.settlements).toEqual(['acked']);
    expect(await it_.metric('otpflow_dispatcher_jobs_total', { outcome: 'sent', channel: 'sms' })).toBe(1);
  });

  it('fails over from a provider that refuses the number, in the same attempt', async () => {
    it_.webhook.answer('rejected');
    const job = it_.publish();
    await it_.jobs.idle();
    expect(deliveryOf(job.jobId)).toMatchObject({ status: 'sent', provider: 'vonage', attempts: 1 });
    expect(deliveryOf(job.jobId)?.history?.map((entry) => `${entry.provider}:${entry.outcome}`)).toEqual([
      'webhook:permanent_error',
      'vonage:accepted',
    ]);
  });

  it('retries a route that failed for a transient reason through the tiers, then sends once', async () => {
    it_.webhook.answer('server_error', 'accept');
    it_.vonage.answer('timeout');
    const job = it_.publish();
    await it_.jobs.idle();
    expect(deliveryOf(job.jobId)).toMatchObject({ status: 'sent', provider: 'webhook', attempts: 2 });
    expect(typesOf(job.authenticationId)).toEqual(['code.retried', 'code.sent']);
    // Same run, so the same idempotency key on every attempt: the vendor can drop a repeat.
    expect(new Set(it_.webhook.messages.map((message) => message.idempotencyKey)).size).toBe(1);
    expect(await it_.metric('otpflow_dispatcher_retries_total', { tier: '100ms' })).toBe(1);
  });

  it('dead-letters what every provider refuses, with why in the headers, and says so twice', async () => {
    it_.webhook.answer('rejected');
    it_.vonage.answer('rejected');
    const job = it_.publish();
    await it_.jobs.idle();
    expect(deliveryOf(job.jobId)).toMatchObject({ status: 'dead_lettered', attempts: 1, provider: 'vonage' });
    expect(typesOf(job.authenticationId)).toEqual(['code.failed', 'code.dead_lettered']);
    const [letter] = it_.jobs.deadLetters;
    expect(letter?.headers).toMatchObject({
      [JOB_HEADERS.reason]: 'permanent_failure',
      [JOB_HEADERS.attempts]: 1,
      [JOB_HEADERS.provider]: 'vonage',
    });
    expect(it_.jobs.settlements).toEqual(['acked']);
  });

  it('gives a job it cannot move on back after a growing pause, its lease released, then sends it once', async () => {
    // The retry tier refuses three moves (a leader election): the job goes back to the work queue,
    // each time after a longer pause (every give-back counts against the delivery limit), and without
    // its lease, so the next delivery tries at once instead of waiting out SEND_LEASE_MS.
    it_.webhook.answer('server_error', 'server_error', 'server_error', 'accept');
    it_.vonage.answer('timeout', 'timeout', 'timeout');
    it_.jobs.refuseMoves(3);
    const job = it_.publish();
    await it_.jobs.idle();
    expect(it_.jobs.settlements).toEqual(['requeued', 'requeued', 'requeued', 'acked']);
    expect(it_.pauses).toHaveLength(3);
    expect(it_.pauses[1]).toBeGreaterThan(it_.pauses[0] ?? Infinity);
    expect(it_.pauses[2]).toBeGreaterThan(it_.pauses[1] ?? Infinity);
    expect(deliveryOf(job.jobId)).toMatchObject({ status: 'sent', provider: 'webhook', attempts: 1 });
    expect(it_.webhook.calls).toBe(4);
    expect(it_.jobs.faults).toEqual([]);
  });

  it('gives up when the attempts run out', async () => {
    await it_.stop();
    it_ = await startComponentDispatcher({ MAX_DELIVERY_ATTEMPTS: '2' });
    it_.webhook.answer('throttled');
    it_.vonage.answer('connection');
    const job = it_.publish();
    await it_.jobs.idle();
    expect(it_.jobs.deadLetters[0]?.headers).toMatchObject({
      [JOB_HEADERS.reason]: 'attempts_exhausted',
      [JOB_HEADERS.attempts]: 2,
    });
    expect(deliveryOf(job.jobId)).toMatchObject({ status: 'dead_lettered', attempts: 2 });
  });

  it('sends a job the broker delivers twice only once', async () => {
    const job = it_.publish();
    await it_.jobs.idle();
    // The same message again, as after an ack lost with its channel.
    it_.jobs.publish(job.body);
    await it_.jobs.idle();
    expect(it_.webhook.calls).toBe(1);
    expect(await it_.metric('otpflow_dispatcher_jobs_total', { outcome: 'duplicate', channel: 'sms' })).toBe(
      1,
    );
  });

  it('never sends a code that expired in the queue, and records why', async () => {
    const job = it_.publish({ expiresAt: new Date(Date.now() - 1_000).toISOString() });
    await it_.jobs.idle();
    expect(it_.webhook.calls + it_.vonage.calls).toBe(0);
    expect(deliveryOf(job.jobId)?.status).toBe('expired_before_delivery');
    expect(typesOf(job.authenticationId)).toEqual(['code.expired_before_delivery']);
  });

  it('records a test number as not sent and calls no provider', async () => {
    const job = it_.publish({ test: true });
    await it_.jobs.idle();
    expect(it_.webhook.calls).toBe(0);
    expect(deliveryOf(job.jobId)?.status).toBe('not_sent');
    expect(it_.events.ofType('code.sent')[0]).toMatchObject({ provider: 'test-number' });
  });

  it('defers a job while the store is down, without using an attempt, then sends it', async () => {
    it_.store.failWith = new Error('database down');
    const job = it_.publish();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(it_.webhook.calls).toBe(0);
    it_.store.failWith = undefined;
    await it_.jobs.idle();
    expect(deliveryOf(job.jobId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(
      await it_.metric('otpflow_dispatcher_jobs_total', { outcome: 'deferred', channel: 'unknown' }),
    ).toBe(1);
  });

  it('falls back to a call only when the job allows voice', async () => {
    await it_.stop();
    it_ = await startComponentDispatcher({ SMS_PROVIDERS: 'vonage', SMS_FALLBACK_TO_VOICE: 'true' });
    it_.vonage.answer('rejected');
    const allowed = it_.publish({ allowedChannels: ['sms', 'voice'] });
    const smsOnly = it_.publish({ allowedChannels: ['sms'] });
    await it_.jobs.idle();
    expect(it_.webhook.messages.map((message) => [message.authenticationId, message.channel])).toEqual([
      [allowed.authenticationId, 'voice'],
    ]);
    expect(deliveryOf(allowed.jobId)).toMatchObject({ status: 'sent', channel: 'voice' });
    expect(deliveryOf(smsOnly.jobId)).toMatchObject({ status: 'dead_lettered', channel: 'sms' });
  });

  it('dead-letters a job changed on the broker, or with forged attempt headers, and sends nothing', async () => {
    const changed = JSON.parse(it_.publish().body.toString()) as Record<string, unknown>;
    await it_.jobs.idle();
    const sentBefore = it_.webhook.calls;
    it_.jobs.publish(Buffer.from(JSON.stringify({ ...changed, channel: 'voice' })));
    it_.jobs.publish(Buffer.from(JSON.stringify(changed)), {
      [JOB_HEADERS.run]: 'forged',
      [JOB_HEADERS.attempt]: 1,
    });
    it_.jobs.publish(Buffer.from('not json'));
    await it_.jobs.idle();
    expect(it_.webhook.calls).toBe(sentBefore);
    expect(it_.jobs.deadLetters.map((letter) => letter.headers[JOB_HEADERS.reason])).toEqual([
      'tampered',
      'tampered',
      'malformed',
    ]);
  });

  it('takes a signed replay run as a new run, with its own idempotency key', async () => {
    const job = it_.publish();
    await it_.jobs.idle();
    it_.jobs.publish(job.body, it_.signed(job.jobId, { attempt: 1, run: 'replay-1' }));
    await it_.jobs.idle();
    expect(it_.webhook.messages.map((message) => message.idempotencyKey)).toEqual([
      `${job.jobId}:first`,
      `${job.jobId}:replay-1`,
    ]);
  });

  it('settles every message exactly once', async () => {
    it_.webhook.answer('server_error', 'accept');
    for (let index = 0; index < 20; index += 1) it_.publish();
    await it_.jobs.idle();
    expect(it_.jobs.faults).toEqual([]);
    expect(it_.jobs.settlements.filter((how) => how === 'acked')).toHaveLength(it_.jobs.settlements.length);
  });
});
