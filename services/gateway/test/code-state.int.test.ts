import { codeStateOf } from '@otpflow/mongo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueMobile, type GatewayHarness } from './gateway-harness.js';

/**
 * What a reader of a send job (the dead-letter replay) learns of its code from the job alone: the
 * sealed job says where the code lives, and `codeStateOf` says whether it is still live.
 */
describe('the state of a job’s code, for readers of the job', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('codestate');
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('is live until the code is verified, and only for the job that carries the current code', async () => {
    const authenticationId = await harness.sendCode(uniqueMobile());
    const { job, payload } = await harness.takeJob(authenticationId);
    const state = payload.state;
    if (!state) throw new Error('the job does not say where its code lives');
    const { numbers } = harness.gateway;
    expect(await codeStateOf(numbers, state, job.jobId, new Date())).toBe('live');
    expect(await codeStateOf(numbers, state, '00000000-0000-4000-8000-000000000000', new Date())).toBe(
      'ended',
    );
    expect(await codeStateOf(numbers, state, job.jobId, new Date(Date.now() + 3_600_000))).toBe('ended');
    const answer = await harness.post('/one-time-password-sms/v1/validate-code', {
      authenticationId,
      code: payload.code,
    });
    expect(answer.status).toBe(204);
    expect(await codeStateOf(numbers, state, job.jobId, new Date())).toBe('ended');
  });

  it('is ended once the code is superseded', async () => {
    const phone = uniqueMobile();
    const first = await harness.sendCode(phone);
    const { job, payload } = await harness.takeJob(first);
    await harness.sendCode(phone);
    if (!payload.state) throw new Error('no state');
    expect(await codeStateOf(harness.gateway.numbers, payload.state, job.jobId, new Date())).toBe('ended');
  });
});
