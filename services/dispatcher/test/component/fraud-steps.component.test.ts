import { afterEach, describe, expect, it } from 'vitest';
import { SECRET, startComponentDispatcher, type ComponentDispatcher } from './harness.js';

/**
 * Later workflow steps through the fraud guard, with the real handler and guard over an in-memory
 * guard store that the test fills as a gateway replica would (a block it decided, shared by the store).
 * The first step is the gateway's to judge: it is sent here whatever the guard knows.
 */
describe('workflow steps through the fraud guard', () => {
  let it_: ComponentDispatcher | undefined;
  afterEach(async () => {
    await it_?.stop();
    it_ = undefined;
  });

  const STEP_TIMER_MS = 15_000;
  const smsThenVoice = [{ channel: 'sms' as const, timeoutSeconds: 15 }, { channel: 'voice' as const }];
  /** +34612345678's range of +34 and 3 digits, blocked for tenant acme by a gateway. */
  const RANGE = '+34612';

  async function start(env: Record<string, string>): Promise<ComponentDispatcher> {
    it_ = await startComponentDispatcher({ SMS_PROVIDERS: 'webhook', VOICE_PROVIDERS: 'webhook', ...env });
    return it_;
  }

  async function blockedByAGateway(dispatcher: ComponentDispatcher, scope = 'acme'): Promise<void> {
    const now = Date.now();
    await dispatcher.fraud.store.writeBlock(
      {
        scope,
        target: RANGE,
        reason: 'prefix_velocity',
        expiresAt: new Date(now + 900_000),
        strikes: 1,
        purgeAt: new Date(now + 1_800_000),
      },
      new Date(now),
    );
    await dispatcher.fraud.guard.sync();
  }

  /** Sends the first step, lets its timer run out, and returns the job once the second step settled. */
  async function runBothSteps(dispatcher: ComponentDispatcher, secret = {}) {
    const job = dispatcher.publish({ workflow: smsThenVoice }, {}, secret);
    await dispatcher.jobs.idle(STEP_TIMER_MS);
    dispatcher.jobs.expireDelays();
    await dispatcher.jobs.idle(STEP_TIMER_MS);
    return job;
  }

  /** The sends counted in the shared store for one counter. */
  const sentTo = (dispatcher: ComponentDispatcher, key: string) =>
    [...dispatcher.fraud.store.counts.values()]
      .filter((tally) => tally.key === key)
      .reduce((sum, tally) => sum + tally.sent, 0);

  const channels = (dispatcher: ComponentDispatcher) =>
    dispatcher.webhook.messages.map((message) => message.channel);

  it('refuses a later step to a blocked range in enforce mode: not sent, a failed delivery, the fraud event', async () => {
    const dispatcher = await start({ FRAUD_MODE: 'enforce' });
    await blockedByAGateway(dispatcher);
    const job = await runBothSteps(dispatcher);

    expect(channels(dispatcher)).toEqual(['sms']);
    expect(dispatcher.store.deliveries.get(job.jobId)).toMatchObject({
      status: 'refused',
      channel: 'voice',
      lastError: 'fraud_blocked',
    });
    expect(dispatcher.events.ofType('fraud.blocked')).toEqual([
      expect.objectContaining({
        authenticationId: job.authenticationId,
        clientId: 'acme',
        channel: 'voice',
        countryCallingCode: '34',
        reason: 'prefix_velocity',
        enforced: true,
      }),
    ]);
    expect(dispatcher.events.ofType('code.failed')).toEqual([
      expect.objectContaining({
        authenticationId: job.authenticationId,
        channel: 'voice',
        reason: 'fraud_blocked',
      }),
    ]);
    expect(
      await dispatcher.metric('otpflow_fraud_decisions_total', {
        action: 'block',
        reason: 'prefix_velocity',
        enforced: 'true',
        // The job's destination country: what an SRE reads to find where the guard refuses.
        country: '34',
      }),
    ).toBe(1);
    expect(
      await dispatcher.metric('otpflow_dispatcher_jobs_total', { outcome: 'step_refused', channel: 'voice' }),
    ).toBe(1);
    // The number is never in an event or a log field the guard writes: only its country.
    expect(JSON.stringify(dispatcher.events.events)).not.toContain(SECRET.to);
  });

  it('only reports in monitor mode: the step is sent, and the event says it was not enforced', async () => {
    const dispatcher = await start({ FRAUD_MODE: 'monitor' });
    await blockedByAGateway(dispatcher);
    const job = await runBothSteps(dispatcher);

    expect(channels(dispatcher)).toEqual(['sms', 'voice']);
    expect(dispatcher.store.deliveries.get(job.jobId)).toMatchObject({ status: 'sent', channel: 'voice' });
    expect(dispatcher.events.ofType('fraud.blocked')).toEqual([
      expect.objectContaining({ authenticationId: job.authenticationId, channel: 'voice', enforced: false }),
    ]);
    expect(dispatcher.events.ofType('code.failed')).toEqual([]);
    expect(
      await dispatcher.metric('otpflow_fraud_decisions_total', {
        action: 'block',
        enforced: 'false',
        country: '34',
      }),
    ).toBe(1);
  });

  it('never refuses an allow-listed number, nor a range blocked for another tenant', async () => {
    const dispatcher = await start({ FRAUD_MODE: 'enforce', FRAUD_ALLOW_NUMBERS: SECRET.to });
    await blockedByAGateway(dispatcher);
    await runBothSteps(dispatcher);
    expect(channels(dispatcher)).toEqual(['sms', 'voice']);
    await dispatcher.stop();

    const other = await start({ FRAUD_MODE: 'enforce' });
    await blockedByAGateway(other, 'another-tenant');
    await runBothSteps(other);
    expect(channels(other)).toEqual(['sms', 'voice']);
    expect(other.events.ofType('fraud.blocked')).toEqual([]);
  });

  it("counts a step it allowed against the step's ranges, for every replica through the store", async () => {
    const dispatcher = await start({ FRAUD_MODE: 'enforce' });
    await runBothSteps(dispatcher);
    expect(channels(dispatcher)).toEqual(['sms', 'voice']);
    await dispatcher.fraud.guard.sync();
    // One send: the second step (the first was the gateway's to count).
    expect(sentTo(dispatcher, 'p:acme:+34')).toBe(1);
    expect(sentTo(dispatcher, `p:acme:${RANGE}`)).toBe(1);
  });

  it('takes a step it allowed back out of its counts when every provider refused it', async () => {
    const dispatcher = await start({ FRAUD_MODE: 'enforce' });
    dispatcher.webhook.answer('accept', 'rejected');
    const job = await runBothSteps(dispatcher);
    expect(channels(dispatcher)).toEqual(['sms', 'voice']);
    expect(dispatcher.store.deliveries.get(job.jobId)).toMatchObject({ channel: 'voice' });
    expect(
      await dispatcher.metric('otpflow_dispatcher_jobs_total', {
        outcome: 'dead_lettered',
        channel: 'voice',
      }),
    ).toBe(1);
    await dispatcher.fraud.guard.sync();
    // Counted when allowed, withdrawn when it failed: the step was never sent.
    expect(sentTo(dispatcher, 'p:acme:+34')).toBe(0);
    expect(sentTo(dispatcher, `p:acme:${RANGE}`)).toBe(0);
  });

  it('leaves the first step to the gateway: sent even to a blocked range', async () => {
    const dispatcher = await start({ FRAUD_MODE: 'enforce' });
    await blockedByAGateway(dispatcher);
    const job = dispatcher.publish();
    await dispatcher.jobs.idle(STEP_TIMER_MS);
    expect(channels(dispatcher)).toEqual(['sms']);
    expect(dispatcher.store.deliveries.get(job.jobId)).toMatchObject({ status: 'sent' });
  });
});
