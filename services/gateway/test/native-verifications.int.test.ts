import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_B_KEY,
  startHarness,
  TEST_NUMBER,
  TEMPLATES_KEY,
  TEST_NUMBER_CODE,
  uniqueMobile,
  type GatewayHarness,
} from './gateway-harness.js';
import { codesOfNumber, editCode } from './number-documents.js';

interface Verification {
  id: string;
  status: string;
  channel: string;
  to: string;
  attemptsRemaining: number;
  maxAttempts: number;
  expiresAt: string;
  resendAllowedAt: string;
  chargeInfo: { encoding: string; parts: number } | null;
  delivery: { status: string };
}

describe('native API: /v1/verifications', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('native');
  });
  afterAll(async () => {
    await harness.stop();
  });

  const create = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const answer = await harness.post('/v1/verifications', { to: uniqueMobile(), ...body }, { headers });
    return answer;
  };
  const created = async (body: Record<string, unknown>) => {
    const answer = await create(body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body as Verification;
  };

  it('creates a verification and answers its state, masked number, expiry, attempts, resend time and charge info', async () => {
    const before = Date.now();
    const verification = await created({
      message: 'Código de Cool App: {{code}}',
      validitySeconds: 120,
      maxAttempts: 5,
    });
    expect(verification).toMatchObject({
      status: 'queued',
      channel: 'sms',
      maxAttempts: 5,
      attemptsRemaining: 5,
      chargeInfo: { encoding: 'UCS-2', parts: 1 },
    });
    expect(verification.to).toMatch(/^\+346\*+\d\d$/);
    expect(Date.parse(verification.expiresAt) - before).toBeGreaterThanOrEqual(119_000);
    expect(Date.parse(verification.resendAllowedAt)).toBeGreaterThan(before);
    const { job, payload } = await harness.takeJob(verification.id);
    expect(payload.text).toBe(`Código de Cool App: ${payload.code}`);
    expect(job.channel).toBe('sms');
  });

  it("hands the recipient's IP to the dispatcher apart from the template variables", async () => {
    for (const recipientIp of ['2001:db8::7', '203.0.113.7']) {
      const verification = await created({ recipientIp });
      const { payload } = await harness.takeJob(verification.id);
      // A template provider fills its template with the variables: an IP is not one of them.
      expect(payload.variables).toEqual({});
      expect(payload.recipientIp).toBe(recipientIp);
    }
  });

  it('counts long texts in SMS parts before sending, and refuses more than 8 parts', async () => {
    expect((await created({ message: `{{code}} ${'a'.repeat(200)}` })).chargeInfo).toEqual({
      encoding: 'GSM-7',
      parts: 2,
    });
    const tooLong = await create({ message: `{{code}} ${'ж'.repeat(600)}` });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'message' } });
  });

  it('honours code length and alphabet over many codes, leaving look-alike characters out', async () => {
    const seen = new Set<string>();
    for (let index = 0; index < 12; index += 1) {
      const { id } = await created({ code: { length: 12, alphabet: ['digits', 'uppercase'] } });
      const { payload } = await harness.takeJob(id);
      expect(payload.code).toMatch(/^[2-9A-HJ-NP-Z]{12}$/);
      for (const character of payload.code) seen.add(character);
    }
    expect(seen.size).toBeGreaterThan(20);
    for (let index = 0; index < 5; index += 1) {
      const { id } = await created({ code: { length: 4, alphabet: ['digits'] } });
      expect((await harness.takeJob(id)).payload.code).toMatch(/^\d{4}$/);
    }
  });

  it('checks codes: attempts remaining on a wrong one, valid once on the right one, case-insensitive for upper-case codes', async () => {
    const { id } = await created({ code: { length: 6, alphabet: ['uppercase'] }, maxAttempts: 4 });
    const { payload } = await harness.takeJob(id);
    const wrong = await harness.post(`/v1/verifications/${id}/check`, {
      code: 'ZZZZZZ' === payload.code ? 'YYYYYY' : 'ZZZZZZ',
    });
    expect(wrong.body).toEqual({ id, valid: false, status: 'queued', attemptsRemaining: 3 });
    const right = await harness.post(`/v1/verifications/${id}/check`, { code: payload.code.toLowerCase() });
    expect(right.body).toMatchObject({ id, valid: true, status: 'verified' });
    const again = await harness.post(`/v1/verifications/${id}/check`, { code: payload.code });
    expect(again.body).toMatchObject({ valid: false, status: 'verified' });
  });

  it('cancels: a canceled verification never validates, and canceling twice is harmless', async () => {
    const { id } = await created({});
    const { payload } = await harness.takeJob(id);
    const canceled = await harness.post(`/v1/verifications/${id}/cancel`, undefined);
    expect(canceled.body).toMatchObject({ id, status: 'canceled' });
    expect((await harness.post(`/v1/verifications/${id}/cancel`, undefined)).status).toBe(200);
    expect((await harness.post(`/v1/verifications/${id}/check`, { code: payload.code })).body).toMatchObject({
      valid: false,
      status: 'canceled',
    });
    expect((await harness.call('GET', `/v1/verifications/${id}`)).body).toMatchObject({ status: 'canceled' });
  });

  it('never lets a cancel and a validation both win a race', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { id } = await created({});
      const { payload } = await harness.takeJob(id);
      const answers = await Promise.all([
        ...Array.from({ length: 3 }, () =>
          harness.post(`/v1/verifications/${id}/check`, { code: payload.code }),
        ),
        harness.post(`/v1/verifications/${id}/cancel`, undefined),
        ...Array.from({ length: 3 }, () =>
          harness.post(`/v1/verifications/${id}/check`, { code: payload.code }),
        ),
      ]);
      const validated = answers.filter(
        (answer) => (answer.body as { valid?: boolean }).valid === true,
      ).length;
      const canceled = answers[3]?.status === 200;
      expect(validated + (canceled ? 1 : 0)).toBe(1);
      const final = (await harness.call('GET', `/v1/verifications/${id}`)).body as Verification;
      expect(final.status).toBe(canceled ? 'canceled' : 'verified');
    }
  });

  it('resends a new code, on another channel too, after the resend interval; the old code stops working', async () => {
    const { id } = await created({});
    const first = (await harness.takeJob(id)).payload.code;
    const tooSoon = await harness.post(`/v1/verifications/${id}/resend`, undefined);
    expect(tooSoon.status).toBe(429);
    expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(0);
    // Move the last send back in time rather than wait out the interval.
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await editCode(harness.gateway, id, {
      entry: { requestedAt: aMinuteAgo },
      tenant: { nextCodeAt: aMinuteAgo },
    });
    const resent = await harness.post(`/v1/verifications/${id}/resend`, { channel: 'voice' });
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    expect(resent.body).toMatchObject({ id, channel: 'voice', status: 'queued', chargeInfo: null });
    const second = await harness.takeJob(id);
    expect(second.job.channel).toBe('voice');
    expect(
      (
        await harness.post(`/v1/verifications/${id}/check`, {
          code: first === second.payload.code ? '000000' : first,
        })
      ).body,
    ).toMatchObject({ valid: false });
    expect(
      (await harness.post(`/v1/verifications/${id}/check`, { code: second.payload.code })).body,
    ).toMatchObject({ valid: true });
  });

  it('does not send a second code for a retried create with the same Idempotency-Key', async () => {
    const to = uniqueMobile();
    const headers = { 'idempotency-key': `key-${to}` };
    const first = await harness.post('/v1/verifications', { to }, { headers });
    const second = await harness.post('/v1/verifications', { to }, { headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await codesOfNumber(harness.gateway, to)).toHaveLength(1);
    const other = await harness.post('/v1/verifications', { to, channel: 'voice' }, { headers });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
  });

  it('keeps verifications to their client', async () => {
    const { id } = await created({});
    for (const [method, path, body] of [
      ['GET', `/v1/verifications/${id}`, undefined],
      ['POST', `/v1/verifications/${id}/check`, { code: '123456' }],
      ['POST', `/v1/verifications/${id}/cancel`, undefined],
      ['POST', `/v1/verifications/${id}/resend`, undefined],
    ] as const) {
      expect((await harness.call(method, path, body, { key: CLIENT_B_KEY })).status).toBe(404);
    }
  });

  it('names the offending field of bad input, and creates nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ to: '34612345678' }, 'to'],
      [{ channel: 'fax' }, 'channel'],
      [{ code: { length: 11, alphabet: ['digits'] } }, 'code.length'],
      [{ code: { alphabet: [] } }, 'code.alphabet'],
      [{ validitySeconds: 5 }, 'validitySeconds'],
      [{ senderId: 'x' }, 'senderId'],
      [{ voice: { language: 'xx-XX' } }, 'voice.language'],
      [{ message: 'no placeholder' }, 'message'],
      [{ message: '{{code}}', template: { id: 'login' } }, 'template'],
      [{ recipientIp: '999.1.1.1' }, 'recipientIp'],
      [{ unknownOption: true }, ''],
    ];
    for (const [body, field] of cases) {
      const answer = await harness.post('/v1/verifications', { to: body.to ?? TEST_NUMBER, ...body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect((answer.body as { message: string }).message).toContain(field);
    }
    expect(await codesOfNumber(harness.gateway, TEST_NUMBER)).toHaveLength(0);
  });

  it('answers 400 to a path parameter that is not valid percent-encoding, before authentication', async () => {
    for (const id of ['%', '%zz', '%E0%A4%A', '%ED%A0%80']) {
      const answer = await fetch(`${harness.url}/v1/verifications/${id}`);
      expect(answer.status, id).toBe(400);
      expect(await answer.json()).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
    }
  });

  it('works for test numbers with their fixed code', async () => {
    const answer = await harness.post('/v1/verifications', { to: TEST_NUMBER });
    const { id } = answer.body as Verification;
    expect(
      (await harness.post(`/v1/verifications/${id}/check`, { code: TEST_NUMBER_CODE })).body,
    ).toMatchObject({ valid: true });
  });

  it('refuses template administration without the templates scope', async () => {
    expect((await harness.call('GET', '/v1/templates')).status).toBe(403);
    expect((await harness.call('GET', '/v1/templates', undefined, { key: TEMPLATES_KEY })).status).toBe(200);
  });
});
