import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  AuthenticationError,
  BadRequestError,
  Client,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '@otpflow/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startHarness,
  uniqueMobile,
  type GatewayHarness,
} from '../../services/gateway/test/gateway-harness.js';

const run = promisify(execFile);

/** The number and code of the seed's example: a test number, so the flow needs no SMS provider. */
const SEED_NUMBER = '+346661113334';
const SEED_CODE = '482913';
/** A second test number for the native checks, so its sends never supersede the seed's code. */
const NATIVE_NUMBER = '+34600000077';
const NATIVE_CODE = '135790';
/**
 * CAMARA and native scopes (the default for a key without scopes); the same client's own
 * administration key (templates, its policy); and the platform's administration key (any policy).
 */
const KEY = 'sdk-integration-key-0001';
const TEMPLATES_KEY = 'sdk-integration-templates-0003';
const ADMIN_KEY = 'sdk-integration-admin-0002';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEED_EXAMPLE = fileURLToPath(new URL('./seed-example.mjs', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What `@otpflow/sdk` resolves to for plain Node: the built package (npm test builds first). */
const SDK_DIST = fileURLToPath(new URL('../../packages/sdk/dist/index.js', import.meta.url));

/** A rejection, for asserting on the error object itself. */
const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );

describe('the SDK against a gateway', () => {
  let harness: GatewayHarness;
  let client: Client;
  let tenant: Client;
  let admin: Client;
  beforeAll(async () => {
    harness = await startHarness('sdk', {
      API_KEYS: [
        `${KEY}:sdk-client`,
        `${TEMPLATES_KEY}:sdk-client:otpflow:templates`,
        `${ADMIN_KEY}:sdk-operator:otpflow:admin`,
      ].join(','),
      TEST_NUMBERS: `${SEED_NUMBER}:${SEED_CODE},${NATIVE_NUMBER}:${NATIVE_CODE}`,
    });
    client = new Client({ bearerToken: KEY, baseURL: harness.url });
    tenant = new Client({ bearerToken: TEMPLATES_KEY, baseURL: harness.url });
    admin = new Client({ bearerToken: ADMIN_KEY, baseURL: harness.url });
  });
  afterAll(async () => {
    await harness.stop();
  });

  describe('CAMARA, as the seed SDK', () => {
    it("runs the seed's example program unchanged but for its import, and its code validates", async () => {
      if (!existsSync(SDK_DIST)) throw new Error(`${SDK_DIST} is missing: run npm run build first`);
      const { stdout, stderr } = await run(process.execPath, [SEED_EXAMPLE], {
        cwd: REPO_ROOT,
        env: { ...process.env, CAMARA_BEARER_TOKEN: KEY, OTPFLOW_BASE_URL: harness.url },
        timeout: 20_000,
      });
      expect(stderr).toBe('');
      const authenticationId = stdout.trim();
      expect(authenticationId).toMatch(UUID);

      const wrong = await failure(client.otpvalidation.validateCode({ authenticationId, code: '000000' }));
      expect(wrong).toBeInstanceOf(BadRequestError);
      expect(wrong).toMatchObject({ status: 400, code: 'ONE_TIME_PASSWORD_SMS.INVALID_OTP' });

      await expect(
        client.otpvalidation.validateCode({ authenticationId, code: SEED_CODE }),
      ).resolves.toBeUndefined();

      // A code validates once.
      expect(
        await failure(client.otpvalidation.validateCode({ authenticationId, code: SEED_CODE })),
      ).toMatchObject({ code: 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED' });
    });

    it('sends x-correlator as the header the gateway checks', async () => {
      const refused = await failure(
        client.otpvalidation.sendCode({
          message: '{{code}} is your code',
          phoneNumber: uniqueMobile(),
          xCorrelator: 'not a valid correlator',
        }),
      );
      expect(refused).toBeInstanceOf(BadRequestError);
      expect(refused).toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: 'The x-correlator header is malformed.',
      });

      const sent = await client.otpvalidation.sendCode({
        message: '{{code}} is your code',
        phoneNumber: uniqueMobile(),
        xCorrelator: 'sdk-correlator-1',
      });
      expect(sent.authenticationId).toMatch(UUID);
      expect(Object.keys(sent)).toEqual(['authenticationId']);
    });

    it('throws AuthenticationError for a wrong key, and NotFoundError for an unknown authenticationId', async () => {
      const stranger = new Client({ bearerToken: 'not-a-key-of-this-gateway', baseURL: harness.url });
      const unauthenticated = await failure(
        stranger.otpvalidation.sendCode({ message: '{{code}}', phoneNumber: uniqueMobile() }),
      );
      expect(unauthenticated).toBeInstanceOf(AuthenticationError);
      expect(unauthenticated).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });

      const unknown = await failure(
        client.otpvalidation.validateCode({ authenticationId: randomUUID(), code: '123456' }),
      );
      expect(unknown).toBeInstanceOf(NotFoundError);
    });
  });

  describe('native API', () => {
    it('creates once per idempotency key; the same key for another request is a ConflictError', async () => {
      const to = uniqueMobile();
      const idempotencyKey = `sdk-${randomUUID()}`;
      const first = await client.verifications.create({ to }, { idempotencyKey });
      const second = await client.verifications.create({ to }, { idempotencyKey });
      expect(first.id).toMatch(UUID);
      expect(second).toEqual(first);
      expect(first).toMatchObject({ status: 'queued', channel: 'sms', attemptsRemaining: 3 });

      const conflict = await failure(
        client.verifications.create({ to, channel: 'voice' }, { idempotencyKey }),
      );
      expect(conflict).toBeInstanceOf(ConflictError);
      expect(conflict).toMatchObject({
        status: 409,
        code: 'IDEMPOTENCY_CONFLICT',
        details: { field: 'Idempotency-Key' },
      });
    });

    it('checks a wrong code, then the right one, and retrieves the verified verification', async () => {
      const { id } = await client.verifications.create({ to: NATIVE_NUMBER, maxAttempts: 3 });
      await expect(client.verifications.check(id, { code: '000000' })).resolves.toEqual({
        id,
        valid: false,
        status: 'queued',
        attemptsRemaining: 2,
      });
      await expect(client.verifications.check(id, { code: NATIVE_CODE })).resolves.toMatchObject({
        id,
        valid: true,
        status: 'verified',
      });
      const verification = await client.verifications.retrieve(id);
      expect(verification).toMatchObject({ id, status: 'verified' });
      expect(verification.verifiedAt).not.toBeNull();

      // A verification that has ended cannot be canceled.
      const ended = await failure(client.verifications.cancel(id));
      expect(ended).toBeInstanceOf(ConflictError);
      expect(ended).toMatchObject({ code: 'CONFLICT' });
    });

    it('cancels a verification, twice harmlessly, and its code never validates after', async () => {
      const { id } = await client.verifications.create({ to: uniqueMobile() });
      await expect(client.verifications.cancel(id)).resolves.toMatchObject({ id, status: 'canceled' });
      await expect(client.verifications.cancel(id)).resolves.toMatchObject({ id, status: 'canceled' });
      await expect(client.verifications.retrieve(id)).resolves.toMatchObject({ status: 'canceled' });
      await expect(client.verifications.check(id, { code: '123456' })).resolves.toMatchObject({
        valid: false,
        status: 'canceled',
      });
    });

    it('throws NotFoundError for an unknown verification', async () => {
      const unknown = await failure(client.verifications.retrieve(randomUUID()));
      expect(unknown).toBeInstanceOf(NotFoundError);
      expect(unknown).toMatchObject({
        status: 404,
        code: 'NOT_FOUND',
        message: 'There is no such verification.',
      });
    });

    it('throws RateLimitError, with Retry-After, for a resend before its time', async () => {
      const { id } = await client.verifications.create({ to: uniqueMobile() });
      const tooSoon = await failure(client.verifications.resend(id));
      expect(tooSoon).toBeInstanceOf(RateLimitError);
      expect(tooSoon).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
      const retryAfter = tooSoon instanceof RateLimitError ? tooSoon.retryAfter : undefined;
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(30);
    });

    it("manages the client's own templates and reads its policy with the templates scope, and only with it", async () => {
      expect(await failure(client.templates.list())).toBeInstanceOf(PermissionDeniedError);
      expect(await failure(admin.templates.list())).toBeInstanceOf(PermissionDeniedError);

      const created = await tenant.templates.upsert('sdk-login', 'es-ES', {
        text: 'Hola {{name}}: {{code}}',
      });
      expect(created).toMatchObject({ id: 'sdk-login', locale: 'es-ES', variables: ['name'] });
      expect((await tenant.templates.list()).templates.map((template) => template.id)).toContain('sdk-login');
      await expect(tenant.templates.retrieve('sdk-login', 'es-ES')).resolves.toMatchObject({
        text: 'Hola {{name}}: {{code}}',
      });
      await tenant.templates.delete('sdk-login', 'es-ES');
      expect(await failure(tenant.templates.retrieve('sdk-login', 'es-ES'))).toBeInstanceOf(NotFoundError);

      await expect(tenant.policy.retrieve()).resolves.toMatchObject({ clientId: 'sdk-client', stored: {} });
      expect(await failure(admin.policy.retrieve())).toBeInstanceOf(PermissionDeniedError);
      expect(await failure(tenant.admin.policies.retrieve('sdk-client'))).toBeInstanceOf(
        PermissionDeniedError,
      );
    });

    it("manages any client's policy with the platform administration scope", async () => {
      const updated = await admin.admin.policies.update('sdk-other-client', {
        maxAttempts: { default: 5, min: 1, max: 10 },
      });
      expect(updated).toMatchObject({
        clientId: 'sdk-other-client',
        policy: { maxAttempts: { default: 5, min: 1, max: 10 } },
        stored: { maxAttempts: { default: 5, min: 1, max: 10 } },
      });
      await expect(admin.admin.policies.retrieve('sdk-other-client')).resolves.toMatchObject({
        stored: { maxAttempts: { default: 5 } },
      });
      await admin.admin.policies.delete('sdk-other-client');
      await expect(admin.admin.policies.retrieve('sdk-other-client')).resolves.toMatchObject({ stored: {} });

      const invalid = await failure(admin.admin.policies.update('sdk-other-client', { channels: [] }));
      expect(invalid).toBeInstanceOf(BadRequestError);
    });
  });
});
