import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CLIENT_B_KEY,
  startHarness,
  uniqueMobile,
  type ApiResponse,
  type GatewayHarness,
} from './gateway-harness.js';

const SEND = '/one-time-password-sms/v1/send-code';
const VALIDATE = '/one-time-password-sms/v1/validate-code';

/** A UK mobile written twice: with the national trunk 0 kept after the country code, and without. */
const UK_WITH_TRUNK_ZERO = '+4407911123499';
const UK_CANONICAL = '+447911123499';

function codeOf(answer: ApiResponse): string | undefined {
  return (answer.body as { code?: string } | undefined)?.code;
}

/**
 * The rules that hold for a number across requests and clients (issue 12's number items, issue 13's
 * defects): one canonical form, caps per tenant and per MSISDN, the lockout after a failed
 * verification, the cooldown between native codes, and the charge counted on the text as sent.
 */
describe('rules of a number', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('numbers', {
      MAX_SENDS: '3',
      NUMBER_MAX_SENDS: '4',
      LOCKOUT_SECONDS: '600',
      BLOCKED_NUMBERS: '+447700900999',
      DENIED_PREFIXES: '+447700900',
    });
  });
  afterAll(async () => {
    await harness.stop();
  });

  const send = (phoneNumber: string, key?: string) =>
    harness.post(SEND, { phoneNumber, message: '{{code}} is your code' }, key ? { key } : {});
  const validate = (authenticationId: string, code: string, key?: string) =>
    harness.post(VALIDATE, { authenticationId, code }, key ? { key } : {});

  describe('one canonical number', () => {
    it('keys the supersede on the canonical form: a code to either form ends the other', async () => {
      const first = await harness.sendCode(UK_WITH_TRUNK_ZERO);
      const firstCode = (await harness.takeJob(first)).payload.code;
      const second = await harness.sendCode(UK_CANONICAL);
      const { payload } = await harness.takeJob(second);
      expect(payload.to).toBe(UK_CANONICAL);
      expect(codeOf(await validate(first, firstCode))).toBe('ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED');
      expect((await validate(second, payload.code)).status).toBe(204);
    });

    it('counts both forms against one send cap', async () => {
      const other = '+447911123498';
      for (let index = 0; index < 3; index += 1)
        expect((await send(index % 2 ? other : other.replace('+44', '+440'))).status).toBe(200);
      const fourth = await send(other.replace('+44', '+440'));
      expect(fourth.status).toBe(403);
      expect(codeOf(fourth)).toBe('ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED');
    });

    it('applies the block list and denied prefixes to the canonical form', async () => {
      expect(codeOf(await send('+4407700900999'))).toBe('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED');
      expect(codeOf(await send('+4407700900123'))).toBe('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
    });
  });

  describe('caps that hold', () => {
    it('caps codes per MSISDN across tenants besides each tenant its own', async () => {
      const phone = uniqueMobile();
      for (let index = 0; index < 3; index += 1) expect((await send(phone)).status).toBe(200);
      expect(codeOf(await send(phone))).toBe('ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED');
      // Client B's own cap is untouched, but the number has had 4 codes from all tenants together.
      expect((await send(phone, CLIENT_B_KEY)).status).toBe(200);
      const fifth = await send(phone, CLIENT_B_KEY);
      expect(codeOf(fifth)).toBe('ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED');
      expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('locks the number out for its tenant after VERIFICATION_FAILED', async () => {
      const phone = uniqueMobile();
      const authenticationId = await harness.sendCode(phone);
      const { payload } = await harness.takeJob(authenticationId);
      const wrong = payload.code === '000000' ? '111111' : '000000';
      const answers = [];
      for (let index = 0; index < 3; index += 1)
        answers.push(codeOf(await validate(authenticationId, wrong)));
      expect(answers.at(-1)).toBe('ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED');
      const again = await send(phone);
      expect(again.status).toBe(403);
      expect(codeOf(again)).toBe('ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED');
      const retryAfter = Number(again.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(590);
      expect(retryAfter).toBeLessThanOrEqual(600);
      // The native API is refused alike, and another tenant is not locked out.
      expect(codeOf(await harness.post('/v1/verifications', { to: phone }))).toBe(
        'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED',
      );
      expect((await send(phone, CLIENT_B_KEY)).status).toBe(200);
    });
  });

  describe('native codes', () => {
    it('refuses a new native code for a number within the resend interval, with Retry-After', async () => {
      const to = uniqueMobile();
      expect((await harness.post('/v1/verifications', { to })).status).toBe(201);
      const second = await harness.post('/v1/verifications', { to });
      expect(second.status).toBe(429);
      expect(codeOf(second)).toBe('TOO_MANY_REQUESTS');
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      // CAMARA send-code may supersede at once unless the tenant's policy says otherwise.
      expect((await send(to)).status).toBe(200);
    });

    it('answers failed with no attempts left for the check that spends the last attempt', async () => {
      const created = await harness.post('/v1/verifications', { to: uniqueMobile(), maxAttempts: 2 });
      const { id } = created.body as { id: string };
      const { payload } = await harness.takeJob(id);
      const wrong = payload.code === '000000' ? '111111' : '000000';
      expect((await harness.post(`/v1/verifications/${id}/check`, { code: wrong })).body).toMatchObject({
        valid: false,
        status: 'queued',
        attemptsRemaining: 1,
      });
      expect((await harness.post(`/v1/verifications/${id}/check`, { code: wrong })).body).toEqual({
        id,
        valid: false,
        status: 'failed',
        attemptsRemaining: 0,
      });
      expect((await harness.call('GET', `/v1/verifications/${id}`)).body).toMatchObject({
        status: 'failed',
        attemptsRemaining: 0,
      });
    });

    it('counts SMS parts on the text as it will be sent, code included', async () => {
      // 162 characters with the placeholder, 160 with a 6-digit code: one SMS.
      const oneSms = await harness.post('/v1/verifications', {
        to: uniqueMobile(),
        message: `{{code}} ${'a'.repeat(153)}`,
      });
      expect(oneSms.status, JSON.stringify(oneSms.body)).toBe(201);
      expect((oneSms.body as { chargeInfo: unknown }).chargeInfo).toEqual({ encoding: 'GSM-7', parts: 1 });
      const { payload } = await harness.takeJob((oneSms.body as { id: string }).id);
      expect(payload.text).toHaveLength(160);
      // 538 UCS-2 characters with the placeholder (9 parts), 536 as sent: exactly the 8-part limit.
      const eightParts = await harness.post('/v1/verifications', {
        to: uniqueMobile(),
        message: `{{code}} ${'ж'.repeat(529)}`,
      });
      expect(eightParts.status, JSON.stringify(eightParts.body)).toBe(201);
      expect((eightParts.body as { chargeInfo: unknown }).chargeInfo).toEqual({
        encoding: 'UCS-2',
        parts: 8,
      });
    });
  });
});

/** Tenants whose policy has no resend interval, so a resend follows at once. */
describe('resends', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('resends');
    const policy = await harness.call(
      'PUT',
      '/v1/admin/policies/client-a',
      { resendIntervalSeconds: 0 },
      { key: ADMIN_KEY },
    );
    expect(policy.status).toBe(200);
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('gives the job of a resent code the time it was asked for, not the verification creation time', async () => {
    const created = await harness.post('/v1/verifications', { to: uniqueMobile() });
    const { id } = created.body as { id: string };
    const first = await harness.takeJob(id);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = Date.now();
    const resent = await harness.post(`/v1/verifications/${id}/resend`, undefined);
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    const second = await harness.takeJob(id);
    expect(Date.parse(second.job.createdAt)).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(first.job.createdAt)).toBeLessThan(before - 1_000);
    // The verification itself was created when it was.
    expect((resent.body as { createdAt: string }).createdAt).toBe(
      (created.body as { createdAt: string }).createdAt,
    );
  });

  it('lets a tenant policy hold CAMARA send-code to the resend interval too', async () => {
    const phone = uniqueMobile();
    const policy = await harness.call(
      'PUT',
      '/v1/admin/policies/client-b',
      { resendIntervalSeconds: 60, sendCodeCooldown: true },
      { key: ADMIN_KEY },
    );
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);
    const send = () => harness.post(SEND, { phoneNumber: phone, message: '{{code}}' }, { key: CLIENT_B_KEY });
    expect((await send()).status).toBe(200);
    const second = await send();
    expect(second.status).toBe(429);
    expect(codeOf(second)).toBe('TOO_MANY_REQUESTS');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(55);
  });
});
