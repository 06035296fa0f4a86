import { ApiError } from '@otpflow/errors';
import { waitFor } from '@otpflow/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JwtVerifier } from '../src/auth/jwt-verifier.js';
import { OIDC_KEY_DEFAULTS, OidcKeySource } from '../src/auth/oidc-key-source.js';
import { LocalOidcIssuer, type TokenOptions } from './local-oidc-issuer.js';

/**
 * The key source against a real identity provider on loopback, on a clock the test moves: backoff
 * that grows while the provider fails, stale keys kept while a refresh fails, and key rotation.
 */
describe('OidcKeySource', () => {
  let idp: LocalOidcIssuer;
  let now: number;
  let verifier: JwtVerifier;

  beforeEach(async () => {
    idp = await LocalOidcIssuer.start();
    now = 1_700_000_000_000;
    const keys = new OidcKeySource({
      issuer: idp.issuer,
      requireHttps: false,
      now: () => now,
      // The top of each backoff step, so the waits are exact.
      random: () => 1,
    });
    verifier = new JwtVerifier(
      { issuer: idp.issuer, audience: idp.audience, tokenType: undefined, tenantClaim: 'client_id' },
      keys,
    );
  });
  afterEach(async () => {
    await idp.close();
  });

  const token = (options: TokenOptions = {}) => idp.token({ client_id: 'keys-client' }, options);
  /** The API error code a verification ends with ('ok' when it passes), and its Retry-After. */
  async function outcome(options: TokenOptions = {}): Promise<{ code: string; retryAfter?: number }> {
    try {
      await verifier.verify(await token(options));
      return { code: 'ok' };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return {
        code: error.code,
        ...(error.retryAfterSeconds ? { retryAfter: error.retryAfterSeconds } : {}),
      };
    }
  }

  it('backs off 1, 2, 4 s… while discovery fails, asking once per step', async () => {
    idp.discoveryMode = 'unavailable';
    expect(await outcome()).toEqual({ code: 'UNAVAILABLE', retryAfter: 1 });
    now += 900;
    expect(await outcome()).toEqual({ code: 'UNAVAILABLE', retryAfter: 1 });
    expect(idp.requests.discovery).toBe(1);
    now += 100;
    expect(await outcome()).toEqual({ code: 'UNAVAILABLE', retryAfter: 2 });
    now += 2_000;
    expect(await outcome()).toEqual({ code: 'UNAVAILABLE', retryAfter: 4 });
    expect(idp.requests.discovery).toBe(3);
    idp.discoveryMode = 'ok';
    now += 1_000;
    expect(await outcome()).toEqual({ code: 'UNAVAILABLE', retryAfter: 3 });
    now += 3_000;
    expect(await outcome()).toEqual({ code: 'ok' });
    expect(idp.requests).toEqual({ discovery: 4, jwks: 1 });
  });

  it('refuses a discovery document that names another issuer', async () => {
    const other = new JwtVerifier(
      { issuer: `${idp.issuer}/`, audience: undefined, tokenType: undefined, tenantClaim: 'client_id' },
      new OidcKeySource({ issuer: `${idp.issuer}/`, requireHttps: false }),
    );
    await expect(other.verify(await token())).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('keeps verifying with the keys it has while a refresh fails, refreshing in the background', async () => {
    expect(await outcome()).toEqual({ code: 'ok' });
    idp.jwksMode = 'unavailable';
    now += OIDC_KEY_DEFAULTS.refreshMs;
    expect(await outcome()).toEqual({ code: 'ok' });
    await waitFor(() => idp.requests.jwks === 2 || undefined, { what: 'the background refresh' });
    for (let index = 0; index < 5; index += 1) expect(await outcome()).toEqual({ code: 'ok' });
    expect(idp.requests.jwks).toBe(2);
    idp.jwksMode = 'ok';
    now += 1_000;
    expect(await outcome()).toEqual({ code: 'ok' });
    await waitFor(() => idp.requests.jwks === 3 || undefined, { what: 'the next refresh' });
  });

  it('fetches the keys again for an unknown key id, at most once per cooldown', async () => {
    expect(await outcome()).toEqual({ code: 'ok' });
    await idp.rotateKey();
    expect(await outcome({ newestKey: true })).toEqual({ code: 'UNAUTHENTICATED' });
    expect(idp.requests.jwks).toBe(1);
    now += OIDC_KEY_DEFAULTS.unknownKeyCooldownMs;
    expect(await outcome({ newestKey: true })).toEqual({ code: 'ok' });
    expect(await outcome()).toEqual({ code: 'ok' });
    expect(idp.requests.jwks).toBe(2);
  });
});
