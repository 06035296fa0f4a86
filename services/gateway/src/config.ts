import { amqpEnvShape, withAmqpChecks } from '@otpflow/amqp';
import { envBool, envInt, envList, logLevel, nodeEnv, parseEnv } from '@otpflow/config';
import { mongoEnvShape } from '@otpflow/mongo';
import {
  DEV_JOB_ENCRYPTION_KEYS,
  jobKeysSchema,
  phoneNumberSchema,
  usesDevelopmentJobKey,
} from '@otpflow/contracts';
import { z } from 'zod';
import { SCOPES } from './auth/scopes.js';
import { fraudEnvShape } from '@otpflow/fraud';
import { HIGH_RISK_NUMBER_TYPES, NUMBER_TYPES, type NumberType } from './otp/phone-policy.js';

/** The development defaults that must never reach production; start-up refuses them there. */
export const DEV_API_KEY = 'otpflow-dev-key-change-me';
const DEV_CODE_HASH_SECRET = 'otpflow-development-code-hash-secret-change-me';

const e164Prefix = z
  .string()
  .regex(/^\+[1-9][0-9]{0,14}$/, 'must be + followed by digits, e.g. +34 or +3466');

/** `key:clientId[:scope+scope]`: an API key, the client it authenticates, and optionally its scopes. */
const apiKeyEntry = z
  .string()
  .regex(
    /^[^:\s]{16,}:[a-zA-Z0-9._-]{1,128}(:[a-zA-Z0-9:._+-]+)?$/,
    'must be key:clientId[:scope+scope], key of 16+ characters',
  );

/** `+E164:code`: a number that gets a fixed code and no SMS. */
const testNumberEntry = z
  .string()
  .regex(/^\+[1-9][0-9]{4,14}:[0-9]{4,10}$/, 'must be +E164:code, code of 4-10 digits');

/**
 * A channel's line types: the ranges refused by default (toll fraud) can only be allowed client by
 * client, in a policy, never for a whole deployment.
 */
function numberTypes(channel: 'sms' | 'voice', defaults: readonly NumberType[]) {
  const highRisk = HIGH_RISK_NUMBER_TYPES[channel];
  return envList(
    z.enum(NUMBER_TYPES).refine((type) => !highRisk.includes(type), {
      message: `${highRisk.join(', ')} are refused by default for ${channel}: allow them per client in its policy`,
    }),
  ).transform((list): readonly NumberType[] => (list.length > 0 ? list : defaults));
}

/** Every variable the service reads, with its rules (test/deploy holds the manifests to it). */
export const envSchema = z
  .object({
    NODE_ENV: nodeEnv,
    PORT: envInt(8080, { min: 0, max: 65535 }),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: logLevel,
    /** Trust X-Forwarded-* from this many proxies (an ingress): client IPs then come from them. */
    TRUST_PROXY_HOPS: envInt(0, { min: 0, max: 10 }),
    BODY_LIMIT_BYTES: envInt(8192, { min: 512, max: 1_048_576 }),

    ...mongoEnvShape({ maxPoolSize: 50, serverSelectionTimeoutMs: 2000 }),
    /** otpflow_store_commands_total, from the driver's command monitoring (a few µs a command). */
    MONGODB_COMMAND_METRICS: envBool(true),
    ...amqpEnvShape,

    API_KEYS: envList(apiKeyEntry),
    OIDC_ISSUER: z.url().optional(),
    /** The `aud` every token must carry; required in production (see the refinement below). */
    OIDC_AUDIENCE: z.string().min(1).optional(),
    OIDC_JWKS_URL: z.url().optional(),
    /** The `typ` header tokens must carry: `at+jwt` for RFC 9068 access tokens. Unset: not checked. */
    OIDC_TOKEN_TYPE: z
      .string()
      .regex(/^[\x21-\x7e]{1,64}$/, 'must be a media type such as at+jwt')
      .optional(),
    /** The one claim naming the tenant of a token (RFC 9068's `client_id`, or a claim of your own). */
    OIDC_TENANT_CLAIM: z
      .string()
      .regex(/^[\x21-\x7e]{1,256}$/, 'must be a claim name (visible ASCII, no spaces)')
      .default('client_id'),
    /** Failed authentications per source address (per replica) and window, then 429 for the window. */
    AUTH_FAILURE_LIMIT: envInt(20, { min: 1, max: 1_000_000_000 }),
    AUTH_FAILURE_WINDOW_SECONDS: envInt(60, { min: 1, max: 86_400 }),

    CODE_HASH_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_CODE_HASH_SECRET),
    JOB_ENCRYPTION_KEYS: jobKeysSchema.prefault(DEV_JOB_ENCRYPTION_KEYS),

    CODE_LENGTH: envInt(6, { min: 4, max: 10 }),
    CODE_TTL_SECONDS: envInt(300, { min: 30, max: 86_400 }),
    MAX_ATTEMPTS: envInt(3, { min: 1, max: 20 }),
    MAX_SENDS: envInt(5, { min: 1, max: 1000 }),
    SEND_WINDOW_SECONDS: envInt(900, { min: 1, max: 86_400 * 7 }),
    /** Codes per phone number per window from every client together (CAMARA's "for this MSISDN"); 0: no such cap. */
    NUMBER_MAX_SENDS: envInt(10, { min: 0, max: 100_000 }),
    NUMBER_SEND_WINDOW_SECONDS: envInt(900, { min: 1, max: 86_400 * 7 }),
    /** After VERIFICATION_FAILED, no new code for that number and client for this long; 0: no lockout. */
    LOCKOUT_SECONDS: envInt(600, { min: 0, max: 86_400 }),
    TOMBSTONE_SECONDS: envInt(86_400, { min: 60 }),
    CLIENT_RATE_LIMIT: envInt(100, { min: 1 }),
    CLIENT_RATE_WINDOW_SECONDS: envInt(1, { min: 1 }),
    CLIENT_QUOTA: envInt(100_000, { min: 1 }),
    CLIENT_QUOTA_WINDOW_SECONDS: envInt(86_400, { min: 1 }),
    /** The least points a gateway takes at once from a client's counters; leases grow with its rate (1: none). */
    LIMIT_LEASE_SIZE: envInt(10, { min: 1, max: 1000 }),
    MESSAGE_MAX_LENGTH: envInt(160, { min: 16, max: 160 }),

    SERVED_PREFIXES: envList(e164Prefix),
    DENIED_PREFIXES: envList(e164Prefix),
    BLOCKED_NUMBERS: envList(phoneNumberSchema),
    /** The line types every client may reach, per channel; a client's policy may widen or narrow them. */
    SMS_NUMBER_TYPES: numberTypes('sms', ['MOBILE', 'FIXED_LINE_OR_MOBILE']),
    VOICE_NUMBER_TYPES: numberTypes('voice', ['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE']),
    PHONE_VALIDATION: z.enum(['strict', 'lenient']).default('strict'),
    /** How long a client policy is cached in each gateway: the delay before a change applies everywhere. */
    POLICY_CACHE_SECONDS: envInt(30, { min: 1, max: 3600 }),
    IDEMPOTENCY_TTL_SECONDS: envInt(86_400, { min: 60 }),
    /**
     * How long a request holds its Idempotency-Key while it runs: past it (the gateway died), a retry
     * may run. Far beyond any request's duration, so a live request is never taken over.
     */
    IDEMPOTENCY_LEASE_SECONDS: envInt(60, { min: 10, max: 3600 }),
    TEST_NUMBERS: envList(testNumberEntry),
    ...fraudEnvShape,

    ATTEMPT_STRATEGY: z.enum(['auto', 'conditional-update', 'claims']).default('auto'),
    EXPIRY_SWEEP_INTERVAL_MS: envInt(60_000, { min: 1000 }),
    SHUTDOWN_TIMEOUT_MS: envInt(10_000, { min: 0 }),
    /** Wait this long after turning unready before closing the listener, so load balancers notice. */
    SHUTDOWN_GRACE_MS: envInt(0, { min: 0 }),
    /** Lets tenants register plain http:// callback endpoints: development and tests only. */
    WEBHOOK_ALLOW_HTTP: envBool(false),
    /** Lets tenants register localhost and internal IP literals (the dispatcher's setting too): development and tests only. */
    CALLBACK_ALLOW_PRIVATE_ADDRESSES: envBool(false),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    const refuse = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (env.API_KEYS.some((entry) => entry.startsWith(`${DEV_API_KEY}:`)))
      refuse('API_KEYS', 'the development key is refused in production');
    if (env.API_KEYS.length === 0 && !env.OIDC_ISSUER)
      refuse('API_KEYS', 'set API_KEYS or OIDC_ISSUER: production needs authentication');
    if (env.OIDC_ISSUER && !env.OIDC_ISSUER.startsWith('https://'))
      refuse('OIDC_ISSUER', 'must be an https:// URL in production: its keys vouch for every token');
    if (env.OIDC_JWKS_URL && !env.OIDC_JWKS_URL.startsWith('https://'))
      refuse('OIDC_JWKS_URL', 'must be an https:// URL in production');
    if (env.OIDC_ISSUER && !env.OIDC_AUDIENCE)
      refuse(
        'OIDC_AUDIENCE',
        'required in production with OIDC_ISSUER: without it a token the issuer made for any other API is accepted',
      );
    if (env.CODE_HASH_SECRET === DEV_CODE_HASH_SECRET) refuse('CODE_HASH_SECRET', 'required in production');
    if (usesDevelopmentJobKey(env.JOB_ENCRYPTION_KEYS))
      refuse('JOB_ENCRYPTION_KEYS', 'the development key is refused in production');
    if (env.TEST_NUMBERS.length > 0) refuse('TEST_NUMBERS', 'test numbers are refused in production');
    if (env.WEBHOOK_ALLOW_HTTP)
      refuse('WEBHOOK_ALLOW_HTTP', 'callbacks carry verification status: https only in production');
    if (env.CALLBACK_ALLOW_PRIVATE_ADDRESSES)
      refuse('CALLBACK_ALLOW_PRIVATE_ADDRESSES', 'callbacks must never reach into the cluster in production');
  });

export type GatewayConfig = z.output<typeof envSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const config = parseEnv(withAmqpChecks(envSchema), env);
  // Out of the box (development), the documented development key authenticates as client "dev",
  // with every scope, administration included.
  if (config.NODE_ENV !== 'production' && config.API_KEYS.length === 0 && !config.OIDC_ISSUER) {
    return { ...config, API_KEYS: [`${DEV_API_KEY}:dev:${Object.values(SCOPES).join('+')}`] };
  }
  return config;
}
