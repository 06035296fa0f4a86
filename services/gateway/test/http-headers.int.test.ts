import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_A_KEY,
  NO_SCOPE_KEY,
  startHarness,
  TEMPLATES_KEY,
  TEST_NUMBER,
  TEST_NUMBER_CODE,
  type GatewayHarness,
} from './gateway-harness.js';

/**
 * Every API answer, errors included, says `Cache-Control: no-store` (it may carry a session id or a
 * verification's state: no proxy or browser keeps it) and `X-Content-Type-Options: nosniff` (a JSON
 * answer is never run as a script or page). The OpenAPI document and the reference page hold no data
 * and may be cached.
 */
describe('security headers', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('headers');
  });
  afterAll(async () => {
    await harness.stop();
  });

  const raw = (path: string, init: RequestInit = {}) => fetch(`${harness.url}${path}`, init);
  const json = { 'content-type': 'application/json' };
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  it('marks every API answer, success or error, no-store and nosniff', async () => {
    const sent = await harness.post('/one-time-password-sms/v1/send-code', {
      phoneNumber: TEST_NUMBER,
      message: '{{code}}',
    });
    const { authenticationId } = sent.body as { authenticationId: string };
    const answers: Record<string, Response | { status: number; headers: Headers }> = {
      '200 send-code': sent,
      '204 validate-code': await harness.post('/one-time-password-sms/v1/validate-code', {
        authenticationId,
        code: TEST_NUMBER_CODE,
      }),
      '201 create': await harness.post('/v1/verifications', { to: TEST_NUMBER }),
      '200 own policy': await harness.call('GET', '/v1/policy', undefined, { key: TEMPLATES_KEY }),
      '400 body': await harness.post('/v1/verifications', { to: 'nope' }),
      '400 correlator': await harness.post(
        '/v1/verifications',
        {},
        { headers: { 'x-correlator': 'bad value' } },
      ),
      '401': await harness.post('/v1/verifications', { to: TEST_NUMBER }, { key: null }),
      '403': await harness.post('/v1/verifications', { to: TEST_NUMBER }, { key: NO_SCOPE_KEY }),
      '404 path': await raw('/nowhere'),
      '404 verification': await harness.call('GET', '/v1/verifications/00000000-0000-4000-8000-000000000000'),
      '405': await raw('/one-time-password-sms/v1/send-code', { method: 'GET' }),
      '406': await raw('/v1/templates', { headers: { ...auth(TEMPLATES_KEY), accept: 'text/html' } }),
      '415': await raw('/v1/verifications', {
        method: 'POST',
        headers: { ...auth(CLIENT_A_KEY), 'content-type': 'text/plain' },
        body: 'x',
      }),
      '400 not JSON': await raw('/v1/verifications', {
        method: 'POST',
        headers: { ...auth(CLIENT_A_KEY), ...json },
        body: '{',
      }),
      healthz: await raw('/healthz'),
      metrics: await raw('/metrics'),
    };
    for (const [what, answer] of Object.entries(answers)) {
      expect(answer.headers.get('cache-control'), what).toBe('no-store');
      expect(answer.headers.get('x-content-type-options'), what).toBe('nosniff');
    }
    expect(Object.keys(answers).map((what) => `${what}:${answers[what]?.status}`)).toContain('405:405');
  });

  it('lets the OpenAPI document and the reference page be cached, still nosniff', async () => {
    for (const path of ['/openapi.json', '/docs', '/docs/reference.js', '/docs/assets/swagger-ui.css']) {
      const answer = await raw(path);
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get('cache-control'), path).toMatch(/^public, max-age=\d+$/);
      expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    const missing = await raw('/docs/assets/no-such-file.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('no-store');
  });
});
