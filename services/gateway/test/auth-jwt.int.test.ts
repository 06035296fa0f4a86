import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueMobile, type GatewayHarness } from './gateway-harness.js';

const ISSUER = 'https://idp.otpflow.test/realms/main';
const AUDIENCE = 'otpflow-api';
const SCOPE = 'one-time-password-sms:send-validate';

/** OIDC access tokens verified against a JWKS served by a local HTTP server, as an IdP would. */
describe('OIDC/JWT bearer tokens', () => {
  let jwks: Server;
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;
  let harness: GatewayHarness;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    harness = await startHarness('jwt', {
      OIDC_ISSUER: ISSUER,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
    });
  });
  afterAll(async () => {
    await harness.stop();
    jwks.close();
  });

  const token = (
    claims: Record<string, unknown>,
    options: { key?: CryptoKey; expiresIn?: string; audience?: string } = {},
  ) =>
    new SignJWT({ client_id: 'jwt-client', scope: `openid ${SCOPE}`, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
      .setIssuer(ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key ?? signingKey);

  const send = async (bearer: string) =>
    harness.post(
      '/one-time-password-sms/v1/send-code',
      { phoneNumber: uniqueMobile(), message: '{{code}}' },
      { key: bearer },
    );

  it('accepts a valid token with the CAMARA scope, as the client the token names', async () => {
    const answer = await send(await token({}));
    expect(answer.status).toBe(200);
    const { authenticationId } = answer.body as { authenticationId: string };
    // The code lives in the token's client's part of the number, and in no other client's.
    const session = await harness.session(authenticationId, 'jwt-client');
    expect(session?.clientId).toBe('jwt-client');
    expect(await harness.session(authenticationId, 'client-a')).toBeNull();
  });

  it('accepts the scope as an scp array too', async () => {
    expect((await send(await token({ scope: undefined, scp: [SCOPE] }))).status).toBe(200);
  });

  it('answers 403 PERMISSION_DENIED to a valid token without the scope', async () => {
    const answer = await send(await token({ scope: 'openid profile' }));
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('answers 401 UNAUTHENTICATED to expired, foreign-signed, wrong-audience and tampered tokens', async () => {
    const good = await token({});
    const [header = '', , signature = ''] = good.split('.');
    const tamperedPayload = Buffer.from(
      JSON.stringify({ client_id: 'evil', scope: SCOPE, iss: ISSUER, aud: AUDIENCE }),
    ).toString('base64url');
    const bad = [
      await token({}, { expiresIn: '-1m' }),
      await token({}, { key: strangerKey }),
      await token({}, { audience: 'someone-else' }),
      `${header}.${tamperedPayload}.${signature}`,
    ];
    for (const credential of bad) {
      const answer = await send(credential);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('still accepts the static API keys alongside tokens', async () => {
    expect(
      (
        await harness.post('/one-time-password-sms/v1/send-code', {
          phoneNumber: uniqueMobile(),
          message: '{{code}}',
        })
      ).status,
    ).toBe(200);
  });
});
