import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_A_KEY, startHarness, TEST_NUMBER, type GatewayHarness } from './gateway-harness.js';

/** The raw answer, headers and bytes, as a client sees them. */
async function raw(url: string, init: RequestInit) {
  const response = await fetch(url, init);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes };
}

describe('how the gateway writes its JSON answers', () => {
  let harness: GatewayHarness;
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    raw(`${harness.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_A_KEY}`, 'content-type': 'application/json', ...headers },
      body,
    });

  beforeAll(async () => {
    harness = await startHarness('answers');
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('answers a success as JSON in UTF-8 with its exact length and the correlator', async () => {
    const answer = await post(
      '/one-time-password-sms/v1/send-code',
      JSON.stringify({ phoneNumber: TEST_NUMBER, message: '{{code}} est votre code, désolé' }),
      { 'x-correlator': 'corr-42' },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(answer.headers.get('content-length'))).toBe(answer.bytes.length);
    expect(answer.headers.get('x-correlator')).toBe('corr-42');
    expect(JSON.parse(answer.bytes.toString('utf8'))).toEqual({
      authenticationId: expect.any(String) as string,
    });
  });

  it('answers an error the same way, in the CAMARA format', async () => {
    const answer = await post('/one-time-password-sms/v1/send-code', JSON.stringify({ phoneNumber: 'é' }));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(answer.headers.get('content-length'))).toBe(answer.bytes.length);
    const body = JSON.parse(answer.bytes.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['code', 'message', 'status']);
    expect(body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
  });

  it('answers HEAD on an API path with the headers of the GET and no body', async () => {
    const get = await raw(`${harness.url}/v1/verifications/unknown`, {
      headers: { authorization: `Bearer ${CLIENT_A_KEY}` },
    });
    const head = await raw(`${harness.url}/v1/verifications/unknown`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${CLIENT_A_KEY}` },
    });
    expect(head.status).toBe(get.status);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(head.headers.get('content-length')).toBe(get.headers.get('content-length'));
    expect(head.bytes.length).toBe(0);
  });

  it('still serves the ops endpoints, with or without a query string', async () => {
    expect((await raw(`${harness.url}/healthz?probe=1`, {})).status).toBe(200);
    expect((await raw(`${harness.url}/metrics`, { method: 'HEAD' })).status).toBe(200);
    // Only GET and HEAD are ops requests: a POST to an ops path is the API's 404.
    expect((await raw(`${harness.url}/healthz`, { method: 'POST' })).status).toBe(404);
  });
});
