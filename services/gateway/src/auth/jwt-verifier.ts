import { ApiError, DependencyUnavailableError } from '@otpflow/errors';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Principal } from './principal.js';

export interface OidcSettings {
  issuer: string;
  audience?: string;
  /** Defaults to the jwks_uri of the issuer's discovery document. */
  jwksUrl?: string;
}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

function scopesOf(payload: JWTPayload): Set<string> {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return new Set(raw.split(' ').filter(Boolean));
  if (Array.isArray(raw)) return new Set(raw.filter((item): item is string => typeof item === 'string'));
  return new Set();
}

function clientIdOf(payload: JWTPayload): string | undefined {
  for (const claim of ['client_id', 'azp', 'sub'] as const) {
    const value = payload[claim];
    if (typeof value === 'string' && value.length > 0 && value.length <= 128) return value;
  }
  return undefined;
}

/**
 * OIDC/JWT access tokens, verified with jose against the issuer's JWKS (fetched and cached by jose,
 * refreshed when an unknown key id appears). Issuer, audience, expiry and signature are all checked;
 * any failure is the same generic 401. An unreachable JWKS is a 503: the token may well be good.
 */
export class JwtVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly settings: OidcSettings) {}

  private async keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    const jwksUrl = this.settings.jwksUrl ?? (await this.discoverJwksUrl());
    this.jwks = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 2_000, cooldownDuration: 30_000 });
    return this.jwks;
  }

  private async discoverJwksUrl(): Promise<string> {
    const url = new URL(
      '.well-known/openid-configuration',
      this.settings.issuer.endsWith('/') ? this.settings.issuer : `${this.settings.issuer}/`,
    );
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const document = (await response.json()) as { jwks_uri?: unknown };
      if (typeof document.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
      return document.jwks_uri;
    } catch (cause) {
      throw new DependencyUnavailableError('identity-provider', 'OIDC discovery failed', cause);
    }
  }

  async verify(token: string): Promise<Principal> {
    const keySet = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer: this.settings.issuer,
        ...(this.settings.audience ? { audience: this.settings.audience } : {}),
        algorithms: ALGORITHMS,
      }));
    } catch (error) {
      if (
        error instanceof joseErrors.JWKSTimeout ||
        (error instanceof TypeError && !(error instanceof joseErrors.JOSEError))
      ) {
        throw new DependencyUnavailableError('identity-provider', 'the JWKS endpoint did not answer', error);
      }
      throw new ApiError('UNAUTHENTICATED', { cause: error });
    }
    const clientId = clientIdOf(payload);
    if (!clientId) throw new ApiError('UNAUTHENTICATED');
    return { clientId, scopes: scopesOf(payload), method: 'jwt' };
  }
}
