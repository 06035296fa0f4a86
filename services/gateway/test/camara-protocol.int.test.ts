import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_A_KEY,
  NO_SCOPE_KEY,
  startHarness,
  uniqueMobile,
  type GatewayHarness,
} from './gateway-harness.js';

/** HTTP-level rules of the CAMARA contract: errors, x-correlator, content negotiation, auth. */
describe('CAMARA protocol', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('protocol');
  });
  afterAll(async () => {
    await harness.stop();
  });

  const SEND = '/one-time-password-sms/v1/send-code';
  const VALIDATE = '/one-time-password-sms/v1/validate-code';
  const raw = (path: string, init: RequestInit) => fetch(`${harness.url}${path}`, init);
  const auth = { authorization: `Bearer ${CLIENT_A_KEY}` };

  it('serves both operations at the spec path and at the seeds path', async () => {
    for (const base of ['/one-time-password-sms/v1', '/otpvalidation']) {
      const sent = await harness.post(`${base}/send-code`, {
        phoneNumber: uniqueMobile(),
        message: '{{code}} is your code',
      });
      expect(sent.status).toBe(200);
      const { authenticationId } = sent.body as { authenticationId: string };
      expect(authenticationId).toMatch(/^[0-9a-f-]{36}$/);
      const { payload } = await harness.takeJob(authenticationId);
      const validated = await harness.post(`${base}/validate-code`, { authenticationId, code: payload.code });
      expect(validated.status).toBe(204);
      expect(validated.body).toBeUndefined();
    }
  });

  describe('x-correlator', () => {
    it('echoes a valid one on success and on every kind of error', async () => {
      const headers = { 'x-correlator': 'b4333c46-49c0-4f62-80d7-f0ef930f1c46' };
      const answers = await Promise.all([
        harness.post(SEND, { phoneNumber: uniqueMobile(), message: '{{code}}' }, { headers }),
        harness.post(SEND, { phoneNumber: 'nope', message: '{{code}}' }, { headers }),
        harness.post(SEND, { phoneNumber: uniqueMobile(), message: '{{code}}' }, { headers, key: null }),
        harness.post(VALIDATE, { authenticationId: 'unknown', code: '1234' }, { headers }),
        raw(SEND, { method: 'GET', headers }).then((r) => ({ status: r.status, headers: r.headers })),
        raw('/nowhere', { method: 'POST', headers }).then((r) => ({ status: r.status, headers: r.headers })),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 400, 401, 404, 405, 404]);
      for (const answer of answers) expect(answer.headers.get('x-correlator')).toBe(headers['x-correlator']);
    });

    it('accepts every character of the pattern', async () => {
      const value = 'aZ09-_:;./<>{}';
      const answer = await harness.post(
        SEND,
        { phoneNumber: uniqueMobile(), message: '{{code}}' },
        { headers: { 'x-correlator': value } },
      );
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-correlator')).toBe(value);
    });

    it('refuses a malformed one with 400 INVALID_ARGUMENT, before authentication, and does not echo it', async () => {
      for (const bad of ['has space', 'a'.repeat(257), 'semi"quote', 'percent%20']) {
        const answer = await harness.post(SEND, {}, { key: null, headers: { 'x-correlator': bad } });
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
        expect(answer.headers.get('x-correlator')).not.toBe(bad);
      }
    });

    it('adds its own when the client sends none', async () => {
      const answer = await harness.post(SEND, { phoneNumber: uniqueMobile(), message: '{{code}}' });
      expect(answer.headers.get('x-correlator')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('authentication', () => {
    it('answers 401 UNAUTHENTICATED with one generic message for a missing, malformed or unknown credential', async () => {
      const variants: (string | undefined)[] = [
        undefined,
        'Bearer',
        'Basic abc',
        'Bearer not-a-known-key-at-all',
        `Bearer ${CLIENT_A_KEY}x`,
      ];
      for (const authorization of variants) {
        const response = await raw(SEND, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: JSON.stringify({ phoneNumber: uniqueMobile(), message: '{{code}}' }),
        });
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({
          status: 401,
          code: 'UNAUTHENTICATED',
          message: 'Request not authenticated due to missing, invalid, or expired credentials.',
        });
      }
    });

    it('answers 403 PERMISSION_DENIED to a credential without the CAMARA scope', async () => {
      for (const path of [SEND, VALIDATE]) {
        const answer = await harness.post(
          path,
          { phoneNumber: uniqueMobile(), message: '{{code}}' },
          { key: NO_SCOPE_KEY },
        );
        expect(answer.status).toBe(403);
        expect(answer.body).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
      }
    });
  });

  describe('request bodies', () => {
    const invalid = async (path: string, body: unknown) => {
      const answer = await harness.post(path, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
      return answer.body as { message: string };
    };

    it('enforces every schema rule of send-code', async () => {
      for (const phoneNumber of [
        '346661113334',
        '+0346661113334',
        '+3412',
        '+3466611133341234',
        'x',
        34666111333,
        null,
      ]) {
        await invalid(SEND, { phoneNumber, message: '{{code}}' });
      }
      expect(
        (await invalid(SEND, { phoneNumber: uniqueMobile(), message: 'no placeholder' })).message,
      ).toContain('message');
      await invalid(SEND, { phoneNumber: uniqueMobile(), message: `{{code}}${'x'.repeat(153)}` });
      await invalid(SEND, { phoneNumber: uniqueMobile() });
      await invalid(SEND, { message: '{{code}}' });
      await invalid(SEND, [{ phoneNumber: uniqueMobile(), message: '{{code}}' }]);
      const atLimit = await harness.post(SEND, {
        phoneNumber: uniqueMobile(),
        message: `{{code}}${'x'.repeat(152)}`,
      });
      expect(atLimit.status).toBe(200);
    });

    it('enforces every schema rule of validate-code', async () => {
      await invalid(VALIDATE, { authenticationId: 'a'.repeat(37), code: '1234' });
      await invalid(VALIDATE, { authenticationId: 'abc', code: '12345678901' });
      await invalid(VALIDATE, { authenticationId: 'abc' });
      await invalid(VALIDATE, { code: '1234' });
      await invalid(VALIDATE, { authenticationId: 42, code: '1234' });
    });

    it('answers 400 to a missing, non-JSON or non-object body', async () => {
      for (const body of ['', '{"phoneNumber":', 'null', '"text"', '42']) {
        const answer = await harness.post(SEND, body);
        expect(answer.status, body).toBe(400);
        expect(answer.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
      }
    });

    it('refuses an oversized body early with 400, and another media type with 415', async () => {
      const big = await harness.post(SEND, {
        phoneNumber: uniqueMobile(),
        message: '{{code}}',
        padding: 'x'.repeat(20_000),
      });
      expect(big.status).toBe(400);
      const text = await raw(SEND, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: 'hello',
      });
      expect(text.status).toBe(415);
      expect(await text.json()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('answers 400 to a body that does not match its Content-Encoding', async () => {
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const answer = await raw(SEND, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', 'content-encoding': encoding },
          body: JSON.stringify({ phoneNumber: uniqueMobile(), message: '{{code}}' }),
        });
        expect(answer.status, encoding).toBe(400);
        expect(await answer.json()).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
      }
    });

    it('answers 406 when the client accepts no JSON', async () => {
      const answer = await harness.post(
        SEND,
        { phoneNumber: uniqueMobile(), message: '{{code}}' },
        { headers: { accept: 'text/html' } },
      );
      expect(answer.status).toBe(406);
      expect(answer.body).toMatchObject({ status: 406, code: 'NOT_ACCEPTABLE' });
    });
  });

  it('answers 405 with Allow to other methods, and 404 to unknown paths, in the error format', async () => {
    const put = await raw(VALIDATE, { method: 'PUT', headers: auth });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
    expect(await put.json()).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    const unknown = await raw('/one-time-password-sms/v1/resend-code', { method: 'POST', headers: auth });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('serves health, readiness and metrics', async () => {
    expect((await raw('/healthz', {})).status).toBe(200);
    const ready = await raw('/readyz', {});
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { mongodb: 'up', rabbitmq: 'up' } });
    const metrics = await (await raw('/metrics', {})).text();
    expect(metrics).toContain(
      'otpflow_http_requests_total{route="/one-time-password-sms/v1/send-code",method="POST",status="200"',
    );
  });
});
