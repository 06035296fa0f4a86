/** The OAuth scopes the gateway knows. CAMARA's is fixed by the spec. */
export const SCOPES = {
  camara: 'one-time-password-sms:send-validate',
  /** The native verifications API. */
  verifications: 'otpflow:verifications',
  /** Templates and client policies: operator power (policies set a client's limits). */
  admin: 'otpflow:admin',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** What an API key may do when its entry in API_KEYS names no scopes: both APIs, not administration. */
export const DEFAULT_API_KEY_SCOPES: readonly Scope[] = [SCOPES.camara, SCOPES.verifications];
