import { envBool, envInt, envList } from '@otpflow/config';
import { z } from 'zod';

/** Retries of a failing endpoint: longer than the send path's, since a tenant's outage lasts longer. */
export const DEFAULT_CALLBACK_RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000] as const;

/** The dispatcher's settings for status callbacks (docs/configuration.md). */
export const callbackEnvShape = {
  CALLBACKS_ENABLED: envBool(true),
  /** POSTs in flight at once across all endpoints (the callbacks queue's prefetch). */
  CALLBACK_PREFETCH: envInt(64, { min: 1, max: 1000 }),
  /** POSTs in flight to one endpoint at most: a slow endpoint cannot take the whole prefetch. */
  CALLBACK_ENDPOINT_CONCURRENCY: envInt(4, { min: 1, max: 100 }),
  /**
   * Lets callbacks reach loopback, private, link-local and other internal addresses: development and
   * tests, whose endpoints listen on 127.0.0.1. Refused in production (docs/SECURITY.md).
   */
  CALLBACK_ALLOW_PRIVATE_ADDRESSES: envBool(false),
  CALLBACK_TIMEOUT_MS: envInt(5_000, { min: 100, max: 60_000 }),
  CALLBACK_MAX_ATTEMPTS: envInt(8, { min: 1, max: 50 }),
  CALLBACK_RETRY_DELAYS_MS: envList(z.coerce.number().int().min(100)).transform((list) =>
    list.length > 0 ? list : [...DEFAULT_CALLBACK_RETRY_DELAYS_MS],
  ),
};
