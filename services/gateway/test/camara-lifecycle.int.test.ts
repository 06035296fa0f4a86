import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_B_KEY,
  startHarness,
  TEST_NUMBER,
  TEST_NUMBER_CODE,
  uniqueMobile,
  type GatewayHarness,
} from './gateway-harness.js';
import { codesOfNumber, editCode, removeCode } from './number-documents.js';

const SEND = '/one-time-password-sms/v1/send-code';
const VALIDATE = '/one-time-password-sms/v1/validate-code';

function expectError(answer: { status: number; body: unknown }, status: number, code: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body).toMatchObject({ status, code });
  expect(typeof (answer.body as { message?: unknown }).message).toBe('string');
}

describe('CAMARA code lifecycle', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('lifecycle');
  });
  afterAll(async () => {
    await harness.stop();
  });

  const validate = (authenticationId: string, code: string, key?: string) =>
    harness.post(VALIDATE, { authenticationId, code }, key ? { key } : {});

  it('sends the message with the code filled in, stores only a hash, and validates the code once', async () => {
    const authenticationId = await harness.sendCode(uniqueMobile(), {
      message: 'Your Cool App code: {{code}}. Expires soon.',
    });
    const { job, payload } = await harness.takeJob(authenticationId);
    expect(payload.code).toMatch(/^\d{6}$/);
    expect(payload.text).toBe(`Your Cool App code: ${payload.code}. Expires soon.`);
    expect(job).toMatchObject({
      authenticationId,
      clientId: 'client-a',
      channel: 'sms',
      countryCallingCode: '34',
      test: false,
    });

    const stored = await harness.session(authenticationId);
    expect(JSON.stringify(stored)).not.toContain(payload.code);
    expect(stored).toMatchObject({ status: 'pending', attemptsLeft: 3, jobId: expect.any(String) as string });

    expect((await validate(authenticationId, payload.code)).status).toBe(204);
    expectError(
      await validate(authenticationId, payload.code),
      400,
      'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED',
    );
    expect(await harness.session(authenticationId)).toMatchObject({ status: 'verified' });
  });

  it('counts wrong codes: INVALID_OTP, then VERIFICATION_FAILED on the third and after, even for the right code', async () => {
    const authenticationId = await harness.sendCode(uniqueMobile());
    const { payload } = await harness.takeJob(authenticationId);
    const wrong = payload.code === '000000' ? '111111' : '000000';
    expectError(await validate(authenticationId, wrong), 400, 'ONE_TIME_PASSWORD_SMS.INVALID_OTP');
    expectError(await validate(authenticationId, wrong), 400, 'ONE_TIME_PASSWORD_SMS.INVALID_OTP');
    expectError(await validate(authenticationId, wrong), 400, 'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED');
    expectError(
      await validate(authenticationId, payload.code),
      400,
      'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED',
    );
  });

  it('supersedes the previous session of the same client and phone', async () => {
    const phone = uniqueMobile();
    const first = await harness.sendCode(phone);
    const firstCode = (await harness.takeJob(first)).payload.code;
    const second = await harness.sendCode(phone);
    const secondCode = (await harness.takeJob(second)).payload.code;
    expectError(await validate(first, firstCode), 400, 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED');
    expect((await validate(second, secondCode)).status).toBe(204);
  });

  it('answers VERIFICATION_EXPIRED once the code has expired, then NOT_FOUND once the tombstone is gone', async () => {
    const authenticationId = await harness.sendCode(uniqueMobile());
    const { payload } = await harness.takeJob(authenticationId);
    await editCode(harness.gateway, authenticationId, { entry: { expiresAt: new Date(Date.now() - 1000) } });
    expectError(
      await validate(authenticationId, payload.code),
      400,
      'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED',
    );
    await removeCode(harness.gateway, authenticationId);
    expectError(await validate(authenticationId, payload.code), 404, 'NOT_FOUND');
  });

  it('answers NOT_FOUND for an unknown authenticationId', async () => {
    expectError(await validate('ea0840f3-3663-4149-bd10-c7c6b8912105', '1234'), 404, 'NOT_FOUND');
  });

  it('isolates clients: another client can neither validate nor supersede a session', async () => {
    const phone = uniqueMobile();
    const authenticationId = await harness.sendCode(phone);
    const { payload } = await harness.takeJob(authenticationId);
    expectError(await validate(authenticationId, payload.code, CLIENT_B_KEY), 404, 'NOT_FOUND');
    expectError(await validate(authenticationId, '000000', CLIENT_B_KEY), 404, 'NOT_FOUND');
    await harness.sendCode(phone, { key: CLIENT_B_KEY });
    expect((await validate(authenticationId, payload.code)).status).toBe(204);
  });

  it('gives test numbers their fixed code and marks their job as a test', async () => {
    const authenticationId = await harness.sendCode(TEST_NUMBER);
    const { job } = await harness.takeJob(authenticationId);
    expect(job.test).toBe(true);
    expect((await validate(authenticationId, TEST_NUMBER_CODE)).status).toBe(204);
  });

  it('limits codes per phone number: the sixth within the window gets MAX_OTP_CODES_EXCEEDED', async () => {
    const phone = uniqueMobile();
    for (let index = 0; index < 5; index += 1) await harness.sendCode(phone);
    const sixth = await harness.post(SEND, { phoneNumber: phone, message: '{{code}}' });
    expectError(sixth, 403, 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED');
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client's limit for the same number is its own.
    await harness.sendCode(phone, { key: CLIENT_B_KEY });
  });

  it('answers 503 and leaves no live session when the job cannot be queued', async () => {
    const admin = await connect(harness.context.rabbitUrl);
    const channel = await admin.createChannel();
    await channel.deleteQueue(harness.gateway.amqp.names.sendQueue);
    await admin.close();
    const phone = uniqueMobile();
    const answer = await harness.post(SEND, { phoneNumber: phone, message: '{{code}}' });
    expectError(answer, 503, 'UNAVAILABLE');
    expect(await codesOfNumber(harness.gateway, phone)).toHaveLength(0);
  });
});

describe('CAMARA phone number policy', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('policy', {
      SERVED_PREFIXES: '+34,+33,+1',
      DENIED_PREFIXES: '+3480',
      BLOCKED_NUMBERS: '+34611111111',
    });
  });
  afterAll(async () => {
    await harness.stop();
  });

  const send = (phoneNumber: string) => harness.post(SEND, { phoneNumber, message: '{{code}}' });

  it('answers NOT_FOUND outside the served prefixes', async () => {
    expectError(await send('+447700900123'), 404, 'NOT_FOUND');
  });

  it('answers PHONE_NUMBER_BLOCKED for a blocked number', async () => {
    expectError(await send('+34611111111'), 403, 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED');
  });

  it('answers PHONE_NUMBER_NOT_ALLOWED for denied prefixes, landlines and impossible numbers', async () => {
    expectError(await send('+34800123456'), 403, 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
    expectError(await send('+34912345678'), 403, 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
    expectError(await send('+346661113334'), 403, 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
  });

  it('sends to mobiles of served countries', async () => {
    for (const phone of ['+34612345670', '+33612345678', '+12015550123'])
      expect((await send(phone)).status).toBe(200);
  });
});

describe('CAMARA client limits', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('limits', {
      CLIENT_RATE_LIMIT: '6',
      CLIENT_RATE_WINDOW_SECONDS: '60',
      CLIENT_QUOTA: '2',
    });
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('answers QUOTA_EXCEEDED past the client quota, then TOO_MANY_REQUESTS past the request rate', async () => {
    expect((await harness.post(SEND, { phoneNumber: uniqueMobile(), message: '{{code}}' })).status).toBe(200);
    expect((await harness.post(SEND, { phoneNumber: uniqueMobile(), message: '{{code}}' })).status).toBe(200);
    expectError(
      await harness.post(SEND, { phoneNumber: uniqueMobile(), message: '{{code}}' }),
      429,
      'QUOTA_EXCEEDED',
    );
    // Refused requests count against the rate too: 3 so far, 3 more are allowed.
    for (let index = 0; index < 3; index += 1) {
      expectError(await harness.post(VALIDATE, { authenticationId: 'x', code: '1' }), 404, 'NOT_FOUND');
    }
    const limited = await harness.post(VALIDATE, { authenticationId: 'x', code: '1' });
    expectError(limited, 429, 'TOO_MANY_REQUESTS');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client is not affected.
    expectError(
      await harness.post(VALIDATE, { authenticationId: 'x', code: '1' }, { key: CLIENT_B_KEY }),
      404,
      'NOT_FOUND',
    );
  });
});
