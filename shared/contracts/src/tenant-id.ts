import { z } from 'zod';

/**
 * The longest tenant id: an OIDC tenant is `oidc:` and a claim value of up to 128 characters (an
 * API-key client id is at most 128). Every message that names a tenant (send job, event, callback)
 * takes this length, so no tenant the gateway authenticates is refused further down the line.
 */
export const TENANT_ID_MAX_LENGTH = 133;

/** A tenant id as messages carry it: the gateway checked its form when it authenticated it. */
export const tenantIdFieldSchema = z.string().min(1).max(TENANT_ID_MAX_LENGTH);
