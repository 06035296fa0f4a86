import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_A_KEY,
  NO_SCOPE_KEY,
  startHarness,
  uniqueMobile,
  type GatewayHarness,
} from './gateway-harness.js';

const LIMIT = 5;
const WINDOW_SECONDS = 2;

/**
 * Failed authentication is limited per source address: after AUTH_FAILURE_LIMIT failures in a window,
 * the address gets 429 for the rest of it, whatever it presents. The gateway sits behind one proxy
 * here (TRUST_PROXY_HOPS=1), so X-Forwarded-For gives each request the source address a test wants.
 */
describe('failed authentication is rate-limited per source address', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('auth-failures', {
      AUTH_FAILURE_LIMIT: String(LIMIT),
      AUTH_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS),
      TRUST_PROXY_HOPS: '1',
    });
  });
  afterAll(async () => {
    await harness.stop();
  });

  const send = (source: string, key: string) =>
    harness.post(
      '/one-time-password-sms/v1/send-code',
      { phoneNumber: uniqueMobile(), message: '{{code}}' },
      { key, headers: { 'x-forwarded-for': source } },
    );
  const wrongKey = `${CLIENT_A_KEY}-wrong`;

  it('answers 429 with Retry-After to an address past its failures, valid credential or not', async () => {
    for (let index = 0; index < LIMIT; index += 1)
      expect((await send('203.0.113.7', wrongKey)).status).toBe(401);
    const refused = await send('203.0.113.7', wrongKey);
    expect(refused).toMatchObject({ status: 429, body: { code: 'TOO_MANY_REQUESTS' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(WINDOW_SECONDS);
    // Past the limit, even a good key is refused: otherwise the limit would only slow a guesser holding one.
    expect((await send('203.0.113.7', CLIENT_A_KEY)).status).toBe(429);

    // Another address has its own budget.
    expect((await send('203.0.113.8', CLIENT_A_KEY)).status).toBe(200);
    expect((await send('203.0.113.8', wrongKey)).status).toBe(401);

    await sleep(WINDOW_SECONDS * 1000 + 100);
    expect((await send('203.0.113.7', CLIENT_A_KEY)).status).toBe(200);
  });

  it('counts an IPv6 /64 as one source', async () => {
    for (let index = 0; index < LIMIT; index += 1) {
      expect((await send(`2001:db8:1:2::${index + 1}`, wrongKey)).status).toBe(401);
    }
    expect((await send('2001:db8:1:2:ffff:ffff:ffff:ffff', CLIENT_A_KEY)).status).toBe(429);
    expect((await send('2001:db8:1:3::1', CLIENT_A_KEY)).status).toBe(200);
  });

  it('does not count an authenticated request refused for its scope', async () => {
    for (let index = 0; index < LIMIT * 2; index += 1)
      expect((await send('198.51.100.1', NO_SCOPE_KEY)).status).toBe(403);
    expect((await send('198.51.100.1', CLIENT_A_KEY)).status).toBe(200);
  });
});
