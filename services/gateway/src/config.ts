import { amqpEnvShape, withAmqpChecks } from '@otpflow/amqp';
import { envBool, envInt, envList, logLevel, nodeEnv, parseEnv } from '@otpflow/config';
import { mongoEnvShape } from '@otpflow/mongo';
import { DEV_JOB_ENCRYPTION_KEYS, jobKeysSchema, phoneNumberSchema } from '@otpflow/contracts';
import { z } from 'zod';
import { SCOPES } from './auth/scopes.js';

/** The development defaults that must never reach production; start-up refuses them there. */
export const DEV_API_KEY = 'otpflow-dev-key-change-me';
const DEV_CODE_HASH_SECRET = 'otpflow-development-code-hash-secret-change-me';

const NUMBER_TYPES = [
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

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

const schema = z
  .object({
    NODE_ENV: nodeEnv,
    PORT: envInt(8080, { min: 0, max: 65535 }),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: logLevel,
    /** Trust X-Forwarded-* from this many proxies (an ingress): client IPs then come from them. */
    TRUST_PROXY_HOPS: envInt(0, { min: 0, max: 10 }),
    BODY_LIMIT_BYTES: envInt(8192, { min: 512, max: 1_048_576 }),

    ...mongoEnvShape({ maxPoolSize: 50, serverSelectionTimeoutMs: 2000 }),
    ...amqpEnvShape,

    API_KEYS: envList(apiKeyEntry),
    OIDC_ISSUER: z.url().optional(),
    OIDC_AUDIENCE: z.string().min(1).optional(),
    OIDC_JWKS_URL: z.url().optional(),

    CODE_HASH_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_CODE_HASH_SECRET),
    JOB_ENCRYPTION_KEYS: jobKeysSchema.prefault(DEV_JOB_ENCRYPTION_KEYS),

    CODE_LENGTH: envInt(6, { min: 4, max: 10 }),
    CODE_TTL_SECONDS: envInt(300, { min: 30, max: 86_400 }),
    MAX_ATTEMPTS: envInt(3, { min: 1, max: 20 }),
    MAX_SENDS: envInt(5, { min: 1, max: 1000 }),
    SEND_WINDOW_SECONDS: envInt(900, { min: 1 }),
    TOMBSTONE_SECONDS: envInt(86_400, { min: 60 }),
    CLIENT_RATE_LIMIT: envInt(100, { min: 1 }),
    CLIENT_RATE_WINDOW_SECONDS: envInt(1, { min: 1 }),
    CLIENT_QUOTA: envInt(100_000, { min: 1 }),
    CLIENT_QUOTA_WINDOW_SECONDS: envInt(86_400, { min: 1 }),
    /** Points a gateway takes at once from a client's request-rate and quota counters (1: none). */
    LIMIT_LEASE_SIZE: envInt(10, { min: 1, max: 1000 }),
    MESSAGE_MAX_LENGTH: envInt(160, { min: 16, max: 160 }),

    SERVED_PREFIXES: envList(e164Prefix),
    DENIED_PREFIXES: envList(e164Prefix),
    BLOCKED_NUMBERS: envList(phoneNumberSchema),
    SMS_NUMBER_TYPES: envList(z.enum(NUMBER_TYPES)).transform((list) =>
      list.length > 0 ? list : (['MOBILE', 'FIXED_LINE_OR_MOBILE'] as const),
    ),
    VOICE_NUMBER_TYPES: envList(z.enum(NUMBER_TYPES)).transform((list) =>
      list.length > 0
        ? list
        : (['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'VOIP', 'PERSONAL_NUMBER'] as const),
    ),
    PHONE_VALIDATION: z.enum(['strict', 'lenient']).default('strict'),
    /** How long a client policy is cached in each gateway: the delay before a change applies everywhere. */
    POLICY_CACHE_SECONDS: envInt(30, { min: 1, max: 3600 }),
    IDEMPOTENCY_TTL_SECONDS: envInt(86_400, { min: 60 }),
    TEST_NUMBERS: envList(testNumberEntry),

    ATTEMPT_STRATEGY: z.enum(['auto', 'conditional-update', 'claims']).default('auto'),
    EXPIRY_SWEEP_INTERVAL_MS: envInt(60_000, { min: 1000 }),
    SHUTDOWN_TIMEOUT_MS: envInt(10_000, { min: 0 }),
    /** Wait this long after turning unready before closing the listener, so load balancers notice. */
    SHUTDOWN_GRACE_MS: envInt(0, { min: 0 }),
    METRICS_ENABLED: envBool(true),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    const refuse = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (env.API_KEYS.some((entry) => entry.startsWith(`${DEV_API_KEY}:`)))
      refuse('API_KEYS', 'the development key is refused in production');
    if (env.API_KEYS.length === 0 && !env.OIDC_ISSUER)
      refuse('API_KEYS', 'set API_KEYS or OIDC_ISSUER: production needs authentication');
    if (env.CODE_HASH_SECRET === DEV_CODE_HASH_SECRET) refuse('CODE_HASH_SECRET', 'required in production');
    if (env.JOB_ENCRYPTION_KEYS.some((key) => key.id === 'dev'))
      refuse('JOB_ENCRYPTION_KEYS', 'the development key is refused in production');
    if (env.TEST_NUMBERS.length > 0) refuse('TEST_NUMBERS', 'test numbers are refused in production');
  });

export type GatewayConfig = z.output<typeof schema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const config = parseEnv(withAmqpChecks(schema), env);
  // Out of the box (development), the documented development key authenticates as client "dev",
  // with every scope, administration included.
  if (config.NODE_ENV !== 'production' && config.API_KEYS.length === 0 && !config.OIDC_ISSUER) {
    return { ...config, API_KEYS: [`${DEV_API_KEY}:dev:${Object.values(SCOPES).join('+')}`] };
  }
  return config;
}
