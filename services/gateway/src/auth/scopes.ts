/**
 * The OAuth scopes the gateway knows. CAMARA's is fixed by the spec. Each route needs exactly one, and
 * no scope implies another: a platform administrator's credential does not send codes, and a tenant's
 * administration credential reaches only its own tenant (docs/api.md has the table by route).
 */
export const SCOPES = {
  camara: 'one-time-password-sms:send-validate',
  /** The native verifications API. */
  verifications: 'otpflow:verifications',
  /** A tenant's own administration: its message templates, and reading its own policy. */
  templates: 'otpflow:templates',
  /** Platform administration, across tenants: every client's policy (limits, bounds, ranges). */
  admin: 'otpflow:admin',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** What an API key may do when its entry in API_KEYS names no scopes: both APIs, no administration. */
export const DEFAULT_API_KEY_SCOPES: readonly Scope[] = [SCOPES.camara, SCOPES.verifications];
