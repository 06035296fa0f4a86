import { freePort, type TestContext, waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildService } from '../support/child-service.js';
import { rawRequest, type RawAnswer } from '../support/raw-http.js';
import { sharedEnv } from '../support/stack.js';
import { faultContext } from './support/fault-context.js';

const API_KEY = 'fraud-guard-client-api-key-01';
const ADMIN_KEY = 'fraud-guard-admin-api-key-0001';
const CLIENT_ID = 'fraud-client';
const TEST_NUMBER = '+34622000150';

/**
 * The fraud guard's answers, across two gateway processes sharing one database (as replicas behind a
 * load balancer): a block decided on one is applied by the other, counts made on one count on the
 * other, and the admin API's allow-list reaches both. Each answer on both APIs.
 */
describe('the fraud guard across two gateway processes', () => {
  let context: TestContext;
  const gateways: { service: ChildService; url: string }[] = [];

  beforeAll(async () => {
    context = faultContext('fraudguard', {});
    for (let index = 0; index < 2; index += 1) {
      const port = await freePort();
      const service = new ChildService('gateway', {
        ...sharedEnv(context),
        PORT: String(port),
        LOG_LEVEL: 'error',
        API_KEYS: [
          `${API_KEY}:${CLIENT_ID}:one-time-password-sms:send-validate+otpflow:verifications`,
          `${ADMIN_KEY}:ops:otpflow:admin`,
        ].join(','),
        CODE_HASH_SECRET: 'fraud-guard-code-hash-secret-0123456789',
        TEST_NUMBERS: `${TEST_NUMBER}:123456`,
        CLIENT_RATE_LIMIT: '100000',
        FRAUD_MODE: 'enforce',
        // Every tick a sync, as on a busy replica: what one gateway counts reaches the other at once.
        FRAUD_SYNC_INTERVAL_MS: '200',
        FRAUD_SYNC_MAX_INTERVAL_MS: '200',
        // Low enough that a handful of sends to one country is a burst (a new country: a quarter, 5),
        // from its first send on (no grace for a new country's first sends).
        FRAUD_COUNTRY_VELOCITY: '20',
        FRAUD_NEW_COUNTRY_GRACE: '0',
        // An address network may keep 3 codes unverified while its conversion is unknown (only the
        // network test sends an end-user address).
        FRAUD_NETWORK_UNPROVEN_SENDS: '3',
      }).start();
      gateways.push({ service, url: `http://127.0.0.1:${port}` });
    }
    await Promise.all(
      gateways.map(({ url, service }) =>
        waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
          timeoutMs: 45_000,
          what: `the gateway at ${url} (${service.output.join('').slice(-500)})`,
        }),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(gateways.map(({ service }) => service.stop()));
    await context.dispose();
  });

  const urlOf = (gateway: 0 | 1) => gateways[gateway]?.url ?? '';
  const headers = (key = API_KEY) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
  const camara = (gateway: 0 | 1, phoneNumber: string) =>
    rawRequest(urlOf(gateway), {
      method: 'POST',
      path: '/one-time-password-sms/v1/send-code',
      headers: headers(),
      body: JSON.stringify({ phoneNumber, message: '{{code}} is your code' }),
    });
  const native = (gateway: 0 | 1, phoneNumber: string, recipientIp?: string) =>
    rawRequest(urlOf(gateway), {
      method: 'POST',
      path: '/v1/verifications',
      headers: headers(),
      body: JSON.stringify({ to: phoneNumber, ...(recipientIp ? { recipientIp } : {}) }),
    });
  const admin = (gateway: 0 | 1, method: string, path: string) =>
    rawRequest(urlOf(gateway), { method, path: `/v1/admin/fraud${path}`, headers: headers(ADMIN_KEY) });
  const codeOf = (answer: RawAnswer | undefined) => (answer?.body as { code?: string } | undefined)?.code;

  interface Tally {
    sent: number;
    verified: number;
  }
  interface Throttle {
    signal: string;
    reason: string;
    scope: string;
    target: string;
    used: number;
    budget: number;
    state: 'throttled' | 'near';
    shared: Tally;
    unsynced: Tally;
  }
  /** A gateway's throttle budgets spent or nearly so, as it judges them now (GET /v1/admin/fraud/throttles). */
  const throttles = async (gateway: 0 | 1, query = '') => {
    const answer = await admin(gateway, 'GET', `/throttles${query}`);
    expect(answer.status, answer.text).toBe(200);
    return (answer.body as { throttles: Throttle[] }).throttles;
  };
  /**
   * Waits until a gateway's view of a budget counts `sends` in all (the shared figure it last synced
   * plus its own unsynced count): what the other gateway counted has been flushed and read back here,
   * which is what its next decision needs. A sync already in flight when the other flushed does not
   * count, as it would when waiting on the number of store commands.
   */
  async function seen(gateway: 0 | 1, signal: string, target: string, sends: number): Promise<Throttle> {
    let found: Throttle | undefined;
    await waitFor(
      async () => {
        found = (await throttles(gateway)).find(
          (throttle) => throttle.signal === signal && throttle.target === target,
        );
        return found !== undefined && found.shared.sent + found.unsynced.sent >= sends;
      },
      {
        timeoutMs: 20_000,
        what: `gateway ${gateway} to count ${sends} sends of ${signal} ${target} (${JSON.stringify(found)})`,
      },
    );
    if (!found) throw new Error('unreachable: waitFor returned without the budget');
    return found;
  }

  /** Sends one after another until the first refusal; returns every answer. */
  async function sweep(send: (phoneNumber: string) => Promise<RawAnswer>, numbers: string[]) {
    const answers: RawAnswer[] = [];
    for (const number of numbers) {
      // A 503 says "try again" (the shared test store is busy at times): the guard never answers it.
      let answer = await send(number);
      for (let retry = 0; answer.status === 503 && retry < 5; retry += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        answer = await send(number);
      }
      answers.push(answer);
      if (answer.status !== 200 && answer.status !== 201) break;
    }
    return answers;
  }

  it('CAMARA: a sequential sweep is refused with 403 PHONE_NUMBER_NOT_ALLOWED, on the other gateway too', async () => {
    const numbers = Array.from({ length: 20 }, (_, index) => `+346220001${String(index).padStart(2, '0')}`);
    const answers = await sweep((number) => camara(0, number), numbers);
    const refused = answers.at(-1);
    expect(answers.length).toBeLessThan(numbers.length);
    expect(
      refused?.status,
      `${refused?.text} ${gateways.map(({ service }) => service.output.join('').slice(-800)).join('\n')}`,
    ).toBe(403);
    expect(codeOf(refused)).toBe('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED');
    expect((refused?.body as { message: string }).message).toMatch(/risk decision/);
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    // CAMARA's error body is exactly {status, code, message}: nothing names the signal or the range.
    expect(Object.keys(refused?.body as object).sort()).toEqual(['code', 'message', 'status']);

    // The other replica applies the block from its next sync, to a number it never saw.
    await waitFor(async () => (await camara(1, '+34622000188')).status === 403, {
      timeoutMs: 10_000,
      what: 'the second gateway to apply the block',
    });
    // A test number is never refused, blocked range or not.
    expect((await camara(1, TEST_NUMBER)).status).toBe(200);
  });

  it('native: the sweep is refused with 403 FRAUD_BLOCKED and Retry-After, on both gateways', async () => {
    const numbers = Array.from({ length: 20 }, (_, index) => `+336123456${String(index).padStart(2, '0')}`);
    const answers = await sweep((number) => native(1, number), numbers);
    const refused = answers.at(-1);
    expect(
      refused?.status,
      `${refused?.text} ${gateways.map(({ service }) => service.output.join('').slice(-800)).join('\n')}`,
    ).toBe(403);
    expect(codeOf(refused)).toBe('FRAUD_BLOCKED');
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    await waitFor(async () => codeOf(await native(0, '+33612345677')) === 'FRAUD_BLOCKED', {
      timeoutMs: 10_000,
      what: 'the first gateway to apply the block',
    });
  });

  it('throttles a burst to one country counted on both gateways: 429 FRAUD_THROTTLED and TOO_MANY_REQUESTS', async () => {
    // German mobiles in different ranges: no block of a hundred or cc+5 sees more than one.
    const spread = (index: number) => `+49151${String(10 + index * 11)}345678`;
    for (let index = 0; index < 3; index += 1) expect((await native(0, spread(index))).status).toBe(201);
    // Gateway 1 reads a counter's shared figure from its first sync after it first counts it.
    expect((await native(1, spread(3))).status).toBe(201);
    // 4 counted so far (3 on gateway 0), once gateway 1 has read them: near the burst of 5 of a new
    // country, and the 6th send is over it. On its own counts alone, gateway 1 would let 4 more through.
    expect(await seen(1, 'country_velocity', '+49', 4)).toMatchObject({
      scope: CLIENT_ID,
      budget: 5,
      state: 'near',
    });
    const answers = await sweep((number) => native(1, number), [4, 5, 6, 7].map(spread));
    const refused = answers.at(-1);
    expect(answers.length).toBe(2);
    expect(
      refused?.status,
      `${refused?.text} ${gateways.map(({ service }) => service.output.join('').slice(-800)).join('\n')}`,
    ).toBe(429);
    expect(codeOf(refused)).toBe('FRAUD_THROTTLED');
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    // Gateway 0 too, once gateway 1's sends are flushed and read (a sync each): 5 of 5 spent.
    expect(await seen(0, 'country_velocity', '+49', 5)).toMatchObject({ state: 'throttled' });
    const camaraAnswer = await camara(0, spread(8));
    expect(camaraAnswer.status).toBe(429);
    expect(codeOf(camaraAnswer)).toBe('TOO_MANY_REQUESTS');
  });

  it('lists blocks, lifts one and allow-lists a range through the admin API, for both gateways', async () => {
    const listed = await admin(0, 'GET', '/blocks');
    expect(listed.status).toBe(200);
    const blocks = (listed.body as { blocks: { scope: string; target: string; reason: string }[] }).blocks;
    const spanish = blocks.find((block) => block.target.startsWith('+34622'));
    expect(spanish).toMatchObject({ scope: CLIENT_ID, reason: 'dense_range' });

    expect((await admin(1, 'PUT', `/allow/${CLIENT_ID}/${encodeURIComponent('+3462200')}`)).status).toBe(200);
    await waitFor(async () => (await camara(0, '+34622000177')).status === 200, {
      timeoutMs: 10_000,
      what: 'the allow-list to reach the first gateway',
    });
    expect(
      (await admin(1, 'DELETE', `/blocks/${CLIENT_ID}/${encodeURIComponent(spanish?.target ?? '')}`)).status,
    ).toBe(204);
    const after = (await admin(0, 'GET', '/blocks')).body as { blocks: { target: string }[] };
    expect(after.blocks.map((block) => block.target)).not.toContain(spanish?.target);
    expect((await admin(0, 'DELETE', `/blocks/${CLIENT_ID}/${encodeURIComponent('+349')}`)).status).toBe(404);
    expect(
      (await rawRequest(urlOf(0), { method: 'GET', path: '/v1/admin/fraud/blocks', headers: headers() }))
        .status,
    ).toBe(403);
  });

  it("throttles an address network's unverified codes counted on both gateways, not another network", async () => {
    // Two countries, two numbers each in different ranges, one address each in one /24: no range,
    // country or address signal sees more than two sends.
    const numbers = ['+393471234567', '+447911123456', '+393331234567', '+447400123456'];
    const fromNetwork = (index: number) => `203.0.113.${index + 10}`;
    for (let index = 0; index < 2; index += 1)
      expect((await native(0, numbers[index] ?? '', fromNetwork(index))).status).toBe(201);
    // Gateway 1 reads a counter's shared figure from its first sync after it first counts it.
    expect((await native(1, numbers[2] ?? '', fromNetwork(2))).status).toBe(201);
    // Once gateway 1 has read gateway 0's two: its budget of 3 unverified codes is spent.
    const network = await seen(1, 'unproven_network', '203.0.113.0/24', 3);
    expect(network).toMatchObject({
      reason: 'unproven_conversion',
      scope: '*',
      budget: 3,
      state: 'throttled',
    });
    // The network's 4th unverified code, on the other gateway: over its budget of 3.
    const refused = await native(1, numbers[3] ?? '', fromNetwork(3));
    expect(refused.status, refused.text).toBe(429);
    expect(codeOf(refused)).toBe('FRAUD_THROTTLED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The same number from another network goes out.
    expect((await native(1, numbers[3] ?? '', '198.51.100.9')).status).toBe(201);
  });

  it('lists the throttle budgets per scope, to the platform operator only, naming no number', async () => {
    const listed = await admin(1, 'GET', '/throttles');
    const { throttles: all, retryAfterSeconds } = listed.body as {
      throttles: Throttle[];
      retryAfterSeconds: number;
    };
    expect(retryAfterSeconds).toBeGreaterThan(0);
    expect(all.map((throttle) => throttle.target)).toEqual(expect.arrayContaining(['+49', '203.0.113.0/24']));
    // No number the tests sent to: targets are countries, cc+3 prefixes and networks.
    expect(listed.text).not.toMatch(/\+\d{9,}/);
    const networks = await throttles(1, '?scope=*');
    expect(networks.map((throttle) => throttle.target)).toEqual(['203.0.113.0/24']);
    expect(
      (await throttles(1, `?scope=${CLIENT_ID}`)).every((throttle) => throttle.scope === CLIENT_ID),
    ).toBe(true);

    const badScope = await admin(0, 'GET', '/throttles?scope=a&scope=b');
    expect(badScope.status).toBe(400);
    expect(codeOf(badScope)).toBe('INVALID_ARGUMENT');
    expect(
      (await rawRequest(urlOf(0), { method: 'GET', path: '/v1/admin/fraud/throttles', headers: headers() }))
        .status,
    ).toBe(403);
  });
});
