import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_A_KEY,
  startHarness,
  TEST_NUMBER,
  uniqueMobile,
  type GatewayHarness,
} from './gateway-harness.js';
import { LocalOidcIssuer, type TokenOptions } from './local-oidc-issuer.js';

const SCOPE = 'one-time-password-sms:send-validate';
const NATIVE_SCOPE = 'otpflow:verifications';

/**
 * OIDC access tokens from an identity provider on loopback, found by discovery as in production:
 * the gateway reads `<issuer>/.well-known/openid-configuration`, then the JWKS it names.
 */
describe('OIDC/JWT bearer tokens', () => {
  let idp: LocalOidcIssuer;
  let harness: GatewayHarness;

  beforeAll(async () => {
    idp = await LocalOidcIssuer.start();
    harness = await startHarness('jwt', {
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: idp.audience,
      OIDC_TOKEN_TYPE: 'at+jwt',
    });
  });
  afterAll(async () => {
    await harness.stop();
    await idp.close();
  });

  /** An RFC 9068 access token of client `jwt-client` with the CAMARA scope, unless told otherwise. */
  const token = (claims: Record<string, unknown> = {}, options: TokenOptions = {}) =>
    idp.token(
      { client_id: 'jwt-client', scope: `openid ${SCOPE}`, ...claims },
      { typ: 'at+jwt', ...options },
    );

  const send = (bearer: string) =>
    harness.post(
      '/one-time-password-sms/v1/send-code',
      { phoneNumber: uniqueMobile(), message: '{{code}}' },
      { key: bearer },
    );

  it('accepts a valid token with the CAMARA scope, as a tenant of the OIDC namespace', async () => {
    const answer = await send(await token());
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const { authenticationId } = answer.body as { authenticationId: string };
    // The code lives in the token's tenant's part of the number, and in no other client's: not even
    // the API-key client of the same name.
    const session = await harness.session(authenticationId, 'oidc:jwt-client');
    expect(session?.clientId).toBe('oidc:jwt-client');
    expect(await harness.session(authenticationId, 'jwt-client')).toBeNull();
  });

  it('accepts the scope as an scp array, and a typ with the application/ prefix', async () => {
    expect((await send(await token({ scope: undefined, scp: [SCOPE] }))).status).toBe(200);
    expect((await send(await token({}, { typ: 'application/at+jwt' }))).status).toBe(200);
  });

  it('answers 403 PERMISSION_DENIED to a valid token without the scope', async () => {
    const answer = await send(await token({ scope: 'openid profile' }));
    expect(answer).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
  });

  it('answers 401 to expired, foreign-signed, wrong-audience, wrong-issuer and tampered tokens', async () => {
    const good = await token();
    const [header = '', , signature = ''] = good.split('.');
    const tamperedPayload = Buffer.from(
      JSON.stringify({ client_id: 'evil', scope: SCOPE, iss: idp.issuer, aud: idp.audience }),
    ).toString('base64url');
    const bad = {
      expired: await token({}, { expiresIn: '-1m' }),
      'foreign-signed': await token({}, { foreignKey: true }),
      'for another API at the same issuer': await token({}, { audience: 'another-api' }),
      'without an audience': await token({}, { audience: null }),
      'from another issuer': await token({}, { issuer: `${idp.issuer}-other` }),
      tampered: `${header}.${tamperedPayload}.${signature}`,
    };
    for (const [what, credential] of Object.entries(bad)) {
      expect(await send(credential), what).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    }
  });

  it('answers 401 to a token that never expires, or of another type than configured', async () => {
    expect((await send(await token({}, { expiresIn: null }))).status).toBe(401);
    // An ID token or any other JWT the issuer signs is not an access token (RFC 9068 section 4).
    expect((await send(await token({}, { typ: 'JWT' }))).status).toBe(401);
  });

  it('takes the tenant from the configured claim alone: no fallback to azp or sub', async () => {
    // An end user's token (sub only), or a token naming only its authorized party, is nobody's tenant.
    const endUser = await token({ client_id: undefined, sub: 'end-user-1234' });
    const azpOnly = await token({ client_id: undefined, azp: 'some-app', sub: 'some-app' });
    const notText = await token({ client_id: 42 });
    const tooLong = await token({ client_id: 'x'.repeat(129) });
    for (const credential of [endUser, azpOnly, notText, tooLong]) {
      expect((await send(credential)).status).toBe(401);
    }
  });

  it('keeps OIDC tenants apart from API-key tenants of the same name', async () => {
    const created = await harness.post('/v1/verifications', { to: uniqueMobile() }, { key: CLIENT_A_KEY });
    expect(created.status).toBe(201);
    const { id } = created.body as { id: string };
    const impostor = await idp.token({ client_id: 'client-a', scope: NATIVE_SCOPE }, { typ: 'at+jwt' });
    expect((await harness.call('GET', `/v1/verifications/${id}`, undefined, { key: impostor })).status).toBe(
      404,
    );
    expect(
      (await harness.call('GET', `/v1/verifications/${id}`, undefined, { key: CLIENT_A_KEY })).status,
    ).toBe(200);
  });

  it("never answers one tenant's idempotent request with another's, whatever their ids contain", async () => {
    // Tenant "a" with key "b:k" and tenant "a:b" with key "k" once shared the stored key "a:b:k".
    const create = async (clientId: string, idempotencyKey: string) =>
      harness.post(
        '/v1/verifications',
        { to: TEST_NUMBER },
        {
          key: await idp.token({ client_id: clientId, scope: NATIVE_SCOPE }, { typ: 'at+jwt' }),
          headers: { 'idempotency-key': idempotencyKey },
        },
      );
    const first = await create('tenant', 'b:k');
    const second = await create('tenant:b', 'k');
    expect(first.status).toBe(201);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect((second.body as { id: string }).id).not.toBe((first.body as { id: string }).id);
  });

  it('still accepts the static API keys alongside tokens', async () => {
    expect((await send(CLIENT_A_KEY)).status).toBe(200);
  });
});

describe('OIDC tenant claim', () => {
  let idp: LocalOidcIssuer;
  let harness: GatewayHarness;
  beforeAll(async () => {
    idp = await LocalOidcIssuer.start();
    harness = await startHarness('jwt-claim', {
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: idp.audience,
      OIDC_TENANT_CLAIM: 'otpflow_tenant',
    });
  });
  afterAll(async () => {
    await harness.stop();
    await idp.close();
  });

  it('reads the tenant from OIDC_TENANT_CLAIM, and refuses a token without it', async () => {
    const send = async (claims: Record<string, unknown>) =>
      harness.post(
        '/one-time-password-sms/v1/send-code',
        { phoneNumber: uniqueMobile(), message: '{{code}}' },
        { key: await idp.token({ scope: SCOPE, ...claims }) },
      );
    expect((await send({ client_id: 'service-account' })).status).toBe(401);
    const answer = await send({ client_id: 'service-account', otpflow_tenant: 'acme' });
    expect(answer.status).toBe(200);
    const { authenticationId } = answer.body as { authenticationId: string };
    const session = await harness.session(authenticationId, 'oidc:acme');
    expect(session?.clientId).toBe('oidc:acme');
  });
});

/** The identity provider failing: the gateway backs off instead of asking again for every token. */
describe('OIDC identity provider outages', () => {
  let idp: LocalOidcIssuer;
  let harness: GatewayHarness;
  beforeAll(async () => {
    idp = await LocalOidcIssuer.start();
    harness = await startHarness('jwt-outage', { OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: idp.audience });
  });
  afterAll(async () => {
    await harness.stop();
    await idp.close();
  });

  const send = async () =>
    harness.post(
      '/one-time-password-sms/v1/send-code',
      { phoneNumber: uniqueMobile(), message: '{{code}}' },
      { key: await idp.token({ client_id: 'outage-client', scope: SCOPE }) },
    );

  /** Ten tokens while an endpoint fails: each a 503 with Retry-After, and one request to the endpoint. */
  async function duringOutage(): Promise<number> {
    const answers = [];
    for (let index = 0; index < 10; index += 1) answers.push(await send());
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    return Number(answers.at(-1)?.headers.get('retry-after'));
  }

  it('caches a failed discovery with backoff, and recovers once the identity provider answers', async () => {
    idp.discoveryMode = 'unavailable';
    const retryAfter = await duringOutage();
    expect(idp.requests.discovery).toBe(1);
    idp.discoveryMode = 'ok';
    await sleep(retryAfter * 1000);
    expect((await send()).status).toBe(200);
    expect(idp.requests).toEqual({ discovery: 2, jwks: 1 });
  });
});

describe('OIDC JWKS outages', () => {
  let idp: LocalOidcIssuer;
  let harness: GatewayHarness;
  beforeAll(async () => {
    idp = await LocalOidcIssuer.start();
    harness = await startHarness('jwks-outage', { OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: idp.audience });
  });
  afterAll(async () => {
    await harness.stop();
    await idp.close();
  });

  it('caches a failed JWKS fetch with backoff, and keeps the keys it has while the JWKS fails', async () => {
    const send = async () =>
      harness.post(
        '/one-time-password-sms/v1/send-code',
        { phoneNumber: uniqueMobile(), message: '{{code}}' },
        { key: await idp.token({ client_id: 'jwks-client', scope: SCOPE }) },
      );
    idp.jwksMode = 'garbage';
    const answers = [];
    for (let index = 0; index < 10; index += 1) answers.push(await send());
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(503));
    expect(idp.requests).toEqual({ discovery: 1, jwks: 1 });

    idp.jwksMode = 'ok';
    await sleep(Number(answers.at(-1)?.headers.get('retry-after')) * 1000);
    expect((await send()).status).toBe(200);
    idp.jwksMode = 'unavailable';
    for (let index = 0; index < 5; index += 1) expect((await send()).status).toBe(200);
    expect(idp.requests).toEqual({ discovery: 1, jwks: 2 });
  });
});
