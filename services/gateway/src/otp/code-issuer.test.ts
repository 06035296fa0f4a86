import { NotPublishedError } from '@otpflow/amqp';
import type { OtpEventInput } from '@otpflow/contracts';
import type { ApiError } from '@otpflow/errors';
import { createLogger } from '@otpflow/telemetry';
import fc from 'fast-check';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.js';
import {
  DEFAULT_THRESHOLDS,
  InMemoryFraudStore,
  SignalFraudGuard,
  type FraudGuard,
  type VerifiedFacts,
} from '@otpflow/fraud';
import type { JobSubject } from '../messaging/send-job.publisher.js';
import { defaultPolicy, type ClientPolicy } from '../policies/client-policy.js';
import { CodeChecker } from './code-checker.js';
import { CodeIssuer } from './code-issuer.js';
import { CodeHasher, DIGITS_ONLY } from './code.js';
import { InMemorySessionStore } from './in-memory-session.store.js';
import { CodeAddresses } from './keys.js';
import { MessageRenderer } from './message-renderer.js';
import { canonicalPhoneNumber } from './phone-number.js';
import { PhonePolicy } from './phone-policy.js';
import type { SendRequest } from './send-request.js';
import { TestNumbers } from './test-numbers.js';

const SECRET = 'issuer-component-test-secret-0123456789';
const principal: Principal = { clientId: 'acme', scopes: new Set(), method: 'api_key' };
const policy: ClientPolicy = {
  ...defaultPolicy({
    codeLength: 6,
    validitySeconds: 300,
    maxAttempts: 3,
    maxSends: 2,
    sendWindowSeconds: 900,
    smsNumberTypes: ['MOBILE', 'FIXED_LINE_OR_MOBILE'],
    voiceNumberTypes: ['MOBILE'],
  }),
  resendIntervalSeconds: 0,
};

/** The issuer and checker wired as the gateway wires them, on the in-memory store, with fake broker ports. */
function wired(
  api: SendRequest['api'] = 'camara',
  broker: (subject: JobSubject) => Promise<void> = () => Promise.resolve(),
) {
  const guard = new SignalFraudGuard(
    {
      mode: 'enforce',
      windowSeconds: 3600,
      buckets: 12,
      thresholds: DEFAULT_THRESHOLDS,
      riskFactor: 0.25,
      highCostPrefixes: [],
      allowPrefixes: [],
      allowNumbers: [],
      establishedCountryVerified: 5,
      blockSeconds: 900,
      maxBlockSeconds: 86_400,
      strikeMemorySeconds: 86_400,
      escalateAfter: 3,
      syncIntervalMs: 1000,
      syncCadence: { afterSends: 15, maxIntervalMs: 10_000 },
    },
    new InMemoryFraudStore(),
    createLogger({ service: 'test', level: 'silent' }),
    () => undefined,
  );
  // The sends the guard was told did not go out after all.
  const withdrawn: string[] = [];
  // The verifications the guard was told of.
  const verified: VerifiedFacts[] = [];
  const recordingFraud: FraudGuard = {
    assess: (facts) => guard.assess(facts),
    verified: (facts) => {
      verified.push(facts);
      guard.verified(facts);
    },
    withdrawn: (facts) => {
      withdrawn.push(facts.e164);
      guard.withdrawn(facts);
    },
  };
  const store = new InMemorySessionStore(600);
  const addresses = new CodeAddresses(SECRET);
  const hasher = new CodeHasher(SECRET);
  const jobs: JobSubject[] = [];
  /** Events the jobs carried, counted once the broker confirmed them. */
  const carried: string[] = [];
  const emitted: OtpEventInput[] = [];
  const released: string[] = [];
  const issuer = new CodeIssuer({
    store,
    addresses,
    hasher,
    limits: {
      takeQuota: (clientId) =>
        Promise.resolve(() => {
          released.push(clientId);
          return Promise.resolve();
        }),
    },
    phonePolicy: new PhonePolicy({
      servedPrefixes: [],
      deniedPrefixes: [],
      blockedNumbers: [],
      validation: 'lenient',
    }),
    testNumbers: new TestNumbers([]),
    renderer: new MessageRenderer({ resolve: () => Promise.reject(new Error('no templates here')) }),
    jobs: {
      publish: async (subject) => {
        await broker(subject);
        jobs.push(subject);
      },
    },
    events: {
      countCarried: (type) => void carried.push(type),
      emit: (event) => void emitted.push(event),
    },
    fraud: recordingFraud,
    logger: createLogger({ service: 'test', level: 'silent' }),
    tombstoneSeconds: 86_400,
  });
  const checker = new CodeChecker(store, addresses, hasher, { emit: () => undefined }, recordingFraud);
  const send = async (phoneNumber: string, recipientIp?: string) => {
    const request: SendRequest = {
      ...(recipientIp ? { recipientIp } : {}),
      phone: canonicalPhoneNumber(phoneNumber),
      channel: 'sms',
      codeLength: 6,
      alphabet: DIGITS_ONLY,
      validitySeconds: 300,
      maxAttempts: 3,
      message: { kind: 'text', text: '{{code}} is your code' },
      api,
    };
    const { ref } = await issuer.send(principal, policy, request);
    return { id: ref.authenticationId, code: jobs.at(-1)?.code ?? '' };
  };
  return { send, checker, jobs, carried, emitted, released, store, withdrawn, verified, addresses };
}

/** A country's example mobile, written canonically and with the national trunk 0 kept after the country code. */
const spellings = fc
  .constantFrom(...(Object.keys(examples) as CountryCode[]))
  .map((country) => {
    const callingCode = getCountryCallingCode(country);
    const national = examples[country];
    return [`+${callingCode}${national}`, `+${callingCode}0${national}`] as const;
  })
  // Only pairs libphonenumber reads as one number (countries whose trunk prefix is 0).
  .filter(([plain, withZero]) => {
    const a = canonicalPhoneNumber(plain);
    const b = canonicalPhoneNumber(withZero);
    return a.parsed !== undefined && a.e164 === b.e164;
  });

describe('CodeIssuer on the in-memory store', () => {
  it('sends to and keys by the canonical form: any two spellings of one number share one cap and one live code', async () => {
    await fc.assert(
      fc.asyncProperty(spellings, fc.boolean(), async ([plain, withZero], zeroFirst) => {
        const { send, checker, jobs } = wired();
        const [first, second] = zeroFirst ? [withZero, plain] : [plain, withZero];
        const older = await send(first);
        const newer = await send(second);
        expect(jobs.map((job) => job.e164)).toEqual([plain, plain]);
        // One live code: the second spelling's code superseded the first's.
        expect((await checker.check(principal, older.id, older.code)).kind).toBe('ended');
        // One cap (2 codes per window): a third code, in either spelling, is refused.
        await expect(send(first)).rejects.toMatchObject({
          code: 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED',
        });
        expect((await checker.check(principal, newer.id, newer.code)).kind).toBe('verified');
      }),
      { numRuns: 100 },
    );
  });

  it('passes every send through the fraud guard: a sequential sweep is refused as a risk decision', async () => {
    for (const [api, code] of [
      ['camara', 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED'],
      ['native', 'FRAUD_BLOCKED'],
    ] as const) {
      const { send } = wired(api);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, index) => send(`+3461234560${String(index).padStart(2, '0')}`)),
      );
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(refused.length).toBeGreaterThan(6);
      const answer = (refused[0] as PromiseRejectedResult).reason as ApiError;
      expect(answer).toMatchObject({ code });
      expect(answer.retryAfterSeconds).toBeGreaterThan(0);
      expect(answer.message).toMatch(/risk decision/);
    }
  });

  it("gives the job what the guard judged the number on, for the dispatcher's guard of later steps", async () => {
    const { send, jobs } = wired();
    await send('+34612345678');
    expect(jobs[0]?.fraud).toEqual({ lineType: 'MOBILE' });
  });

  it('announces a code once its job is queued, and keeps the quota it took', async () => {
    const { send, jobs, carried, emitted, released, withdrawn } = wired();
    const { id } = await send('+34612345678');
    expect(withdrawn).toEqual([]);
    expect(jobs.map((job) => job.authenticationId)).toEqual([id]);
    // The job is the announcement (its copy on the events exchange): counted once it is confirmed.
    expect(carried).toEqual(['code.requested']);
    expect(emitted).toEqual([]);
    expect(released).toEqual([]);
  });

  it('announces a code whose job the broker refused as failed, undoes the write and gives the quota back', async () => {
    const { send, carried, emitted, released, store, withdrawn } = wired('camara', () =>
      Promise.reject(new Error('nacked')),
    );
    await expect(send('+34612345678')).rejects.toThrow('nacked');
    expect(carried).toEqual([]);
    // The broker may have kept the job's copy on an events queue: the code is said to have failed.
    expect(emitted).toEqual([expect.objectContaining({ type: 'code.failed', reason: 'not_queued' })]);
    // Never sent: the fraud guard takes it back out of its counts.
    expect(withdrawn).toEqual(['+34612345678']);
    expect(released).toEqual(['acme']);
    // The first code withdrawn is gone from the number's document, and it is live nowhere.
    const { numberKey, tenantKey } = new CodeAddresses(SECRET).fresh('+34612345678', 'acme', false);
    expect(store.document(numberKey)?.tenants?.[tenantKey]).toMatchObject({ codes: {} });
    expect(store.document(numberKey)?.tenants?.[tenantKey]?.live).toBeUndefined();
  });

  it('announces nothing for a job that never reached the broker, and still undoes the write', async () => {
    const { send, carried, emitted, released, withdrawn } = wired('camara', () =>
      Promise.reject(new NotPublishedError('not connected to RabbitMQ')),
    );
    await expect(send('+34612345678')).rejects.toThrow('not connected');
    expect(carried).toEqual([]);
    expect(emitted).toEqual([]);
    expect(withdrawn).toEqual(['+34612345678']);
    expect(released).toEqual(['acme']);
  });

  it('tells the fraud guard of a send the per-number cap refused after the guard allowed it', async () => {
    const { send, withdrawn } = wired();
    await send('+34612345678');
    await send('+34612345678');
    // maxSends 2: the third is refused by the cap, after the guard had counted it.
    await expect(send('+34612345678')).rejects.toMatchObject({
      code: 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED',
    });
    expect(withdrawn).toEqual(['+34612345678']);
  });

  it("stores the network a code was asked from with it, and credits that network's conversion on verification", async () => {
    const { send, checker, store, verified, addresses } = wired();
    const { id, code } = await send('+34612345678', '198.51.100.23');
    const { numberKey, tenantKey } = addresses.fresh('+34612345678', 'acme', false);
    const entry = Object.values(store.document(numberKey)?.tenants?.[tenantKey]?.codes ?? {})[0];
    expect(entry).toMatchObject({ recipientIp: '198.51.100.23', network: '198.51.100.0/24' });
    expect((await checker.check(principal, id, code)).kind).toBe('verified');
    expect(verified).toEqual([
      expect.objectContaining({ network: { subnet: '198.51.100.0/24', sentAt: entry?.createdAt } }),
    ]);
  });

  it('credits no network for a code asked without an end-user address', async () => {
    const { send, checker, verified } = wired();
    const { id, code } = await send('+34612345678');
    await checker.check(principal, id, code);
    expect(verified).toHaveLength(1);
    expect(verified[0]?.network).toBeUndefined();
  });
});
