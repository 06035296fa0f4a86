import type { GatewayConfig } from '../config.js';
import { ApiKeyRegistry } from './api-keys.js';
import { Authenticator } from './authenticator.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { JwtVerifier } from './jwt-verifier.js';
import { OidcKeySource } from './oidc-key-source.js';

/** The authenticator the settings describe: API keys, OIDC tokens when an issuer is set, the failure limit. */
export function createAuthenticator(config: GatewayConfig): Authenticator {
  const jwt = config.OIDC_ISSUER
    ? new JwtVerifier(
        {
          issuer: config.OIDC_ISSUER,
          audience: config.OIDC_AUDIENCE,
          tokenType: config.OIDC_TOKEN_TYPE,
          tenantClaim: config.OIDC_TENANT_CLAIM,
        },
        new OidcKeySource({
          issuer: config.OIDC_ISSUER,
          jwksUrl: config.OIDC_JWKS_URL,
          requireHttps: config.NODE_ENV === 'production',
        }),
      )
    : undefined;
  return new Authenticator(
    new ApiKeyRegistry(config.API_KEYS),
    jwt,
    new FailedAuthLimiter({
      limit: config.AUTH_FAILURE_LIMIT,
      windowSeconds: config.AUTH_FAILURE_WINDOW_SECONDS,
    }),
  );
}
