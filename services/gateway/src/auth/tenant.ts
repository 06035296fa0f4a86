import { z } from 'zod';

/**
 * Tenant ids, in two namespaces that cannot meet. An API key names its client in API_KEYS with
 * letters, digits, dots, dashes and underscores; a tenant authenticated by an OIDC token is
 * `oidc:<claim value>`. No API-key client id contains ':', so a token whose claim says `client-a`
 * is `oidc:client-a`, never the API-key tenant `client-a` (a token from another application of the
 * same identity provider must not act as an existing API-key tenant).
 */
export const API_KEY_CLIENT_ID = /^[a-zA-Z0-9._-]{1,128}$/;
export const OIDC_TENANT_PREFIX = 'oidc:';

/**
 * A claim value that may name a tenant: visible ASCII, as client ids and URIs are. Prefixed, the
 * longest is TENANT_ID_MAX_LENGTH, what every message naming a tenant takes (tenant.test.ts).
 */
const OIDC_CLAIM_VALUE = /^[\x21-\x7e]{1,128}$/;

export function oidcTenantId(claimValue: unknown): string | undefined {
  return typeof claimValue === 'string' && OIDC_CLAIM_VALUE.test(claimValue)
    ? `${OIDC_TENANT_PREFIX}${claimValue}`
    : undefined;
}

/** Any tenant id, of either namespace: what the platform administration routes take. */
export const tenantIdSchema = z
  .string()
  .refine(
    (value) =>
      API_KEY_CLIENT_ID.test(value) ||
      (value.startsWith(OIDC_TENANT_PREFIX) && OIDC_CLAIM_VALUE.test(value.slice(OIDC_TENANT_PREFIX.length))),
    'must be an API-key client id (1-128 letters, digits, dots, dashes or underscores) or oidc:<claim value>',
  );
