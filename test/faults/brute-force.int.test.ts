import { Agent } from 'node:http';
import type { TestContext } from '@otpflow/testing';
import type { NumberDocument } from '@otpflow/mongo';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeAddresses } from '../../services/gateway/src/otp/keys.js';
import { ChildService } from '../support/child-service.js';
import { rawRequest, type RawAnswer } from '../support/raw-http.js';
import { sharedEnv } from '../support/stack.js';
import { faultContext } from './support/fault-context.js';
import { printFigures } from './support/figures.js';
import { DedicatedFerretDb, freePort, waitUntilServing } from '@otpflow/testing';

const API_KEY = 'brute-force-client-api-key-01';
const CLIENT_ID = 'bf-client';
/** The same secret everywhere, as replicas of one deployment have. */
const CODE_HASH_SECRET = 'brute-force-code-hash-secret-0123456789';
const MAX_ATTEMPTS = 3;
const GATEWAYS = 3;
const GUESSES = 2_400;
/** Test numbers get a fixed code (and no SMS), so the test knows the right answer. */
const TEST_NUMBERS = ['+34600000101', '+34600000102', '+34600000103', '+34600000104'];
const RIGHT_CODE = '424242';

const INVALID_OTP = 'ONE_TIME_PASSWORD_SMS.INVALID_OTP';
const FAILED = 'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED';
const EXPIRED = 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED';
const MOUNTS = ['/one-time-password-sms/v1', '/otpvalidation'];

const outcomeOf = (answer: RawAnswer) =>
  answer.status === 204 ? '204' : `${answer.status} ${(answer.body as { code?: string }).code ?? '?'}`;

/**
 * An attacker with thousands of parallel wrong guesses against one session, spread over several
 * gateway processes (as behind a load balancer) sharing one database: the attempt budget holds
 * across processes, so the session is compared at most MAX_ATTEMPTS times, and a right code in the
 * storm validates at most once.
 */
describe('a brute-force storm across three gateway processes', () => {
  let context: TestContext;
  let database: DedicatedFerretDb | undefined;
  const gateways: { service: ChildService; url: string }[] = [];
  // A bounded pool per gateway: the storm queues on it, so thousands of requests run truly
  // concurrently (64 × 3 at a time) without exhausting the test process's sockets.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  beforeAll(async () => {
    // A database of the test's own: a storm of this size is a load test of the store too, and must not
    // slow down (or, on FerretDB, wedge) the server every other test file shares.
    database = await DedicatedFerretDb.start();
    context = faultContext('bruteforce', { mongoBaseUrl: database.url });
    for (let index = 0; index < GATEWAYS; index += 1) {
      const port = await freePort();
      const service = new ChildService('gateway', {
        ...sharedEnv(context),
        PORT: String(port),
        LOG_LEVEL: 'error',
        API_KEYS: `${API_KEY}:${CLIENT_ID}`,
        CODE_HASH_SECRET,
        TEST_NUMBERS: TEST_NUMBERS.map((number) => `${number}:${RIGHT_CODE}`).join(','),
        MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        // The storm is the point: the per-client request rate must not be what stops it.
        CLIENT_RATE_LIMIT: '100000000',
      }).start();
      gateways.push({ service, url: `http://127.0.0.1:${port}` });
    }
    await Promise.all(
      gateways.map(({ url, service }) =>
        waitUntilServing(url, {
          timeoutMs: 45_000,
          what: `the gateway at ${url}`,
          output: () => service.output.join(''),
        }),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    agent.destroy();
    await Promise.all(gateways.map(({ service }) => service.stop()));
    await context.dispose();
    await database?.dispose();
  });

  const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

  async function newSession(phoneNumber: string): Promise<string> {
    const answer = await rawRequest(gateways[0]?.url ?? '', {
      method: 'POST',
      path: '/one-time-password-sms/v1/send-code',
      headers,
      body: JSON.stringify({ phoneNumber, message: '{{code}} is your code' }),
    });
    expect(answer.status, answer.text).toBe(200);
    return (answer.body as { authenticationId: string }).authenticationId;
  }

  /** Fires every guess at once, round-robin over the gateways and both CAMARA mounts. */
  async function storm(authenticationId: string, codes: string[]) {
    const started = performance.now();
    const answers = await Promise.all(
      codes.map((code, index) =>
        rawRequest(
          gateways[index % GATEWAYS]?.url ?? '',
          {
            method: 'POST',
            path: `${MOUNTS[index % 2] ?? ''}/validate-code`,
            headers,
            body: JSON.stringify({ authenticationId, code }),
          },
          agent,
        ),
      ),
    );
    const tookMs = Math.round(performance.now() - started);
    const counts: Record<string, number> = {};
    for (const answer of answers) counts[outcomeOf(answer)] = (counts[outcomeOf(answer)] ?? 0) + 1;
    return { counts, tookMs };
  }

  /**
   * Comparisons recorded in the database: the code's claims on FerretDB (`<numberKey>~<codeId>~<slot>`
   * beside the number's document), on MongoDB the attempts its entry has used. The test holds the
   * gateways' secret, so it can find the code's document as they do.
   */
  async function comparisonsRecorded(authenticationId: string): Promise<number> {
    const ref = new CodeAddresses(CODE_HASH_SECRET).resolve(authenticationId, CLIENT_ID);
    if (!ref) throw new Error(`${authenticationId} was not issued with the test's secret`);
    const client = new MongoClient(context.mongoUrl);
    try {
      const numbers = client.db().collection<{ _id: string; outcome?: string }>('numbers');
      const prefix = `${ref.numberKey}~${ref.codeId}~`;
      const claims = await numbers.countDocuments({
        _id: { $gt: prefix, $lt: `${prefix}\x7f` },
        outcome: { $ne: 'canceled' },
      });
      if (claims > 0) return claims;
      const document = (await numbers.findOne({ _id: ref.numberKey })) as NumberDocument | null;
      const entry = document?.tenants?.[ref.tenantKey]?.codes?.[ref.codeId];
      return MAX_ATTEMPTS - (entry?.attemptsLeft ?? MAX_ATTEMPTS);
    } finally {
      await client.close();
    }
  }

  const wrongCode = (index: number) => String(100_000 + ((index * 7_919) % 900_000)).replace(RIGHT_CODE, '0');

  it(`grants ${MAX_ATTEMPTS} comparisons to ${GUESSES} parallel wrong guesses, and no more`, async () => {
    const authenticationId = await newSession(TEST_NUMBERS[0] ?? '');
    const { counts, tookMs } = await storm(
      authenticationId,
      Array.from({ length: GUESSES }, (_, index) => wrongCode(index)),
    );
    printFigures('brute-force all-wrong', { guesses: GUESSES, tookMs, counts });
    expect(counts).toEqual({
      [`400 ${INVALID_OTP}`]: MAX_ATTEMPTS - 1,
      [`400 ${FAILED}`]: GUESSES - (MAX_ATTEMPTS - 1),
    });
    expect(await comparisonsRecorded(authenticationId)).toBe(MAX_ATTEMPTS);
    // The budget is spent: even the right code is refused now.
    const late = await rawRequest(gateways[1]?.url ?? '', {
      method: 'POST',
      path: '/one-time-password-sms/v1/validate-code',
      headers,
      body: JSON.stringify({ authenticationId, code: RIGHT_CODE }),
    });
    expect(outcomeOf(late)).toBe(`400 ${FAILED}`);
  }, 90_000);

  // Every guess right, every other one, one in 97: the right code reaches a comparison in some of
  // these storms and not in others, but it never validates twice.
  it.each([
    { every: 1, phoneNumber: TEST_NUMBERS[1] ?? '' },
    { every: 2, phoneNumber: TEST_NUMBERS[2] ?? '' },
    { every: 97, phoneNumber: TEST_NUMBERS[3] ?? '' },
  ])(
    'validates at most once when every $every-th guess is right',
    async ({ every, phoneNumber }) => {
      const authenticationId = await newSession(phoneNumber);
      const codes = Array.from({ length: GUESSES }, (_, index) =>
        index % every === 0 ? RIGHT_CODE : wrongCode(index),
      );
      const { counts, tookMs } = await storm(authenticationId, codes);
      printFigures('brute-force mixed', { guesses: GUESSES, rightEvery: every, tookMs, counts });
      const allowed = new Set(['204', `400 ${INVALID_OTP}`, `400 ${FAILED}`, `400 ${EXPIRED}`]);
      expect(Object.keys(counts).filter((outcome) => !allowed.has(outcome))).toEqual([]);
      if (every === 1) expect(counts['204']).toBe(1);
      else expect(counts['204'] ?? 0).toBeLessThanOrEqual(1);
      // Each 204 and INVALID_OTP is a comparison; so is the one VERIFICATION_FAILED that used the last
      // attempt, if the budget ran out.
      expect((counts['204'] ?? 0) + (counts[`400 ${INVALID_OTP}`] ?? 0)).toBeLessThanOrEqual(MAX_ATTEMPTS);
      expect(await comparisonsRecorded(authenticationId)).toBeLessThanOrEqual(MAX_ATTEMPTS);
    },
    90_000,
  );
});
