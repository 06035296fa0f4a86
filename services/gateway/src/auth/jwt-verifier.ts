import { ApiError } from '@otpflow/errors';
import { jwtVerify, type JWTPayload } from 'jose';
import type { OidcKeySource } from './oidc-key-source.js';
import type { Principal } from './principal.js';
import { oidcTenantId } from './tenant.js';

export interface OidcSettings {
  issuer: string;
  /** Required in production: without it, a token the issuer made for any other API would do. */
  audience: string | undefined;
  /** The `typ` header every token must carry (`at+jwt`, RFC 9068), when set. */
  tokenType: string | undefined;
  /** The one claim naming the tenant (`client_id` by default); there is no fallback. */
  tenantClaim: string;
}

/** Asymmetric algorithms only: a symmetric one would let anyone holding the key mint tokens. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

function scopesOf(payload: JWTPayload): Set<string> {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return new Set(raw.split(' ').filter(Boolean));
  if (Array.isArray(raw)) return new Set(raw.filter((item): item is string => typeof item === 'string'));
  return new Set();
}

/**
 * OIDC/JWT access tokens, verified with jose against the identity provider's keys. Signature, issuer,
 * audience (when configured), `typ` (when configured) and expiry are checked, and `exp` must be
 * there; any failure is the same generic 401. The tenant is the configured claim, in the OIDC
 * namespace (`oidc:<value>`). Keys that cannot be had are a 503: the token may well be good.
 */
export class JwtVerifier {
  constructor(
    private readonly settings: OidcSettings,
    private readonly keys: OidcKeySource,
  ) {}

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys.getKey, {
        issuer: this.settings.issuer,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
        ...(this.settings.audience ? { audience: this.settings.audience } : {}),
        ...(this.settings.tokenType ? { typ: this.settings.tokenType } : {}),
      }));
    } catch (error) {
      // The key source's own answer: the identity provider is unavailable (503, with Retry-After).
      if (error instanceof ApiError) throw error;
      throw new ApiError('UNAUTHENTICATED', { cause: error });
    }
    const clientId = oidcTenantId(payload[this.settings.tenantClaim]);
    if (!clientId) throw new ApiError('UNAUTHENTICATED');
    return { clientId, scopes: scopesOf(payload), method: 'jwt' };
  }
}
