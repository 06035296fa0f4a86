import { TENANT_ID_MAX_LENGTH } from '@otpflow/contracts';
import { describe, expect, it } from 'vitest';
import { oidcTenantId, tenantIdSchema } from './tenant.js';

describe('tenant ids', () => {
  it('makes the longest OIDC tenant id no longer than the messages that name a tenant take', () => {
    const longest = oidcTenantId('c'.repeat(128));
    expect(longest).toHaveLength(TENANT_ID_MAX_LENGTH);
    expect(oidcTenantId('c'.repeat(129))).toBeUndefined();
  });

  it('keeps the two namespaces apart', () => {
    expect(oidcTenantId('client-a')).toBe('oidc:client-a');
    expect(tenantIdSchema.safeParse('client-a').success).toBe(true);
    expect(tenantIdSchema.safeParse('oidc:client-a').success).toBe(true);
    expect(tenantIdSchema.safeParse('client:a').success).toBe(false);
    expect(tenantIdSchema.safeParse('oidc:').success).toBe(false);
  });
});
