import { z } from 'zod';

/**
 * A vendor API base URL. Configurable so tests (and regional or proxied deployments) can point a
 * provider elsewhere; a trailing slash is dropped so every provider joins paths the same way.
 */
export function baseUrlSetting(defaultUrl: string) {
  return z
    .url({ protocol: /^https?$/ })
    .default(defaultUrl)
    .transform((url) => url.replace(/\/+$/, ''));
}

/** Whole seconds from now until `expiresAt`, at least `minimum`: vendors reject zero or negative lifetimes. */
export function secondsUntil(expiresAt: Date, minimum = 1): number {
  return Math.max(minimum, Math.ceil((expiresAt.getTime() - Date.now()) / 1000));
}

/** E.164 without the leading '+', the form most vendor APIs and SMPP take. */
export function digitsOnly(e164: string): string {
  return e164.replace(/^\+/, '');
}

/** A numeric vendor code small enough to use as a metric label, or undefined. */
export function boundedCode(value: unknown): number | undefined {
  const code = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code < 1_000_000
    ? code
    : undefined;
}

/**
 * A count of billed SMS parts a vendor reported, or undefined when it is not one: a whole number from
 * 1 to 255 (a concatenated SMS has at most 255 parts; zero means the vendor did not know yet).
 */
export function billedPartsOf(value: unknown): number | undefined {
  const parts = boundedCode(value);
  return parts !== undefined && parts >= 1 && parts <= 255 ? parts : undefined;
}
