import { amqpEnvShape, withAmqpChecks } from '@otpflow/amqp';
import { ConfigError, envBool, envInt, envList, logLevel, nodeEnv, parseEnv } from '@otpflow/config';
import { fraudEnvShape } from '@otpflow/fraud';
import { mongoEnvShape } from '@otpflow/mongo';
import { DEV_JOB_ENCRYPTION_KEYS, jobKeysSchema, usesDevelopmentJobKey } from '@otpflow/contracts';
import { z } from 'zod';
import { callbackEnvShape } from './callbacks/callback-config.js';
import { requireHttps } from './providers/provider-factory.js';
import { PROVIDER_NAMES, providerFactory } from './providers/registry.js';

const providerList = envList(
  z.string().refine((name) => PROVIDER_NAMES.includes(name), {
    message: `must be one of ${PROVIDER_NAMES.join(', ')}`,
  }),
);

/** `34:octopush+twilio,1:twilio`: per country calling code, the ordered providers to use. */
const routesByCountry = envList(
  z
    .string()
    .regex(/^[1-9][0-9]{0,2}:[a-z0-9_-]+(\+[a-z0-9_-]+)*$/, 'must be callingCode:provider+provider')
    .refine(
      (entry) =>
        entry
          .split(':')[1]
          ?.split('+')
          .every((name) => PROVIDER_NAMES.includes(name)),
      { message: 'names an unknown provider' },
    ),
).transform(
  (entries) =>
    new Map(
      entries.map((entry) => {
        const [code = '', names = ''] = entry.split(':');
        return [code, names.split('+')] as const;
      }),
    ),
);

/** Every variable the service reads, with its rules (test/deploy holds the manifests to it). */
export const envSchema = z.object({
  NODE_ENV: nodeEnv,
  PORT: envInt(8081, { min: 0, max: 65535 }),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: logLevel,

  ...mongoEnvShape({ maxPoolSize: 20, serverSelectionTimeoutMs: 5000 }),
  ...amqpEnvShape,
  JOB_ENCRYPTION_KEYS: jobKeysSchema.prefault(DEV_JOB_ENCRYPTION_KEYS),

  /** Jobs handled at once by this process (RabbitMQ prefetch). */
  PREFETCH: envInt(32, { min: 1, max: 1000 }),
  MAX_DELIVERY_ATTEMPTS: envInt(5, { min: 1, max: 50 }),
  PROVIDER_TIMEOUT_MS: envInt(10_000, { min: 100 }),
  /** How long one attempt owns its job; a redelivery within it waits, after it takes over. */
  SEND_LEASE_MS: envInt(60_000, { min: 1000 }),

  SMS_PROVIDERS: providerList.transform((list) => (list.length > 0 ? list : ['console'])),
  VOICE_PROVIDERS: providerList.transform((list) => (list.length > 0 ? list : ['console'])),
  SMS_PROVIDERS_BY_COUNTRY: routesByCountry,
  VOICE_PROVIDERS_BY_COUNTRY: routesByCountry,
  /**
   * The deployment's default workflow for SMS jobs that carry none (no native `workflow`, no policy
   * default): [sms, voice], the call only when the SMS fails for good, if the client may be called.
   */
  SMS_FALLBACK_TO_VOICE: envBool(false),
  CIRCUIT_BREAKER_FAILURES: envInt(5, { min: 1 }),
  CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS: envInt(30_000, { min: 100 }),
  /** Shared secret of the webhook provider's delivery receipts (X-Otpflow-Signature). */
  WEBHOOK_RECEIPT_SECRET: z.string().min(16).optional(),
  /** How far a signed receipt's timestamp may be from now (either way) before it is refused. */
  RECEIPT_TOLERANCE_SECONDS: envInt(300, { min: 30, max: 3600 }),
  /** The public URL providers call back (Twilio signs receipts over the full URL). */
  PUBLIC_BASE_URL: z.url().optional(),

  /** The read models of the events (verifications listing, hourly conversion buckets). */
  PROJECTIONS_ENABLED: envBool(true),
  PROJECTIONS_PREFETCH: envInt(64, { min: 1, max: 1000 }),
  VERIFICATION_RECORD_RETENTION_DAYS: envInt(30, { min: 1, max: 3660 }),
  HOURLY_BUCKET_RETENTION_DAYS: envInt(400, { min: 1, max: 3660 }),

  TOMBSTONE_SECONDS: envInt(86_400, { min: 60 }),
  EXPIRY_SWEEP_INTERVAL_MS: envInt(60_000, { min: 1000 }),
  SHUTDOWN_TIMEOUT_MS: envInt(30_000, { min: 0 }),
  ...callbackEnvShape,
  /** The fraud guard later workflow steps pass: the gateway's settings (docs/FRAUD.md), set alike on both. */
  ...fraudEnvShape,
});

export type DispatcherConfig = z.output<typeof envSchema> & {
  /** The validated settings of every provider in use, by name. */
  providerSettings: ReadonlyMap<string, unknown>;
};

/** Every provider named anywhere in the routing. */
function providersInUse(config: z.output<typeof envSchema>): Set<string> {
  const names = new Set([...config.SMS_PROVIDERS, ...config.VOICE_PROVIDERS]);
  for (const list of [
    ...config.SMS_PROVIDERS_BY_COUNTRY.values(),
    ...config.VOICE_PROVIDERS_BY_COUNTRY.values(),
  ]) {
    for (const name of list) names.add(name);
  }
  return names;
}

/** What production refuses that development allows: public keys, codes printed, plain http, internal callbacks. */
function productionProblems(
  base: z.output<typeof envSchema>,
  providerSettings: ReadonlyMap<string, unknown>,
): string[] {
  const problems: string[] = [];
  if (providerSettings.has('console'))
    problems.push(
      'SMS_PROVIDERS/VOICE_PROVIDERS: the console provider prints codes and is refused in production',
    );
  if (usesDevelopmentJobKey(base.JOB_ENCRYPTION_KEYS))
    problems.push('JOB_ENCRYPTION_KEYS: the development key is refused in production');
  problems.push(...requireHttps('PUBLIC_BASE_URL', base.PUBLIC_BASE_URL));
  if (base.CALLBACK_ALLOW_PRIVATE_ADDRESSES)
    problems.push(
      'CALLBACK_ALLOW_PRIVATE_ADDRESSES: callbacks must never reach into the cluster in production',
    );
  for (const [name, settings] of providerSettings)
    problems.push(...(providerFactory(name)?.productionProblems?.(settings) ?? []));
  return problems;
}

/**
 * Parses the dispatcher's settings and the credentials of every provider in use, reporting every
 * problem at once, production's refusals included.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): DispatcherConfig {
  const problems: string[] = [];
  let base: z.output<typeof envSchema> | undefined;
  try {
    base = parseEnv(withAmqpChecks(envSchema), env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const providerSettings = new Map<string, unknown>();
  for (const name of base ? providersInUse(base) : []) {
    const factory = providerFactory(name);
    if (!factory) continue;
    try {
      providerSettings.set(name, parseEnv(factory.envSchema, env));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((problem) => `${problem} (provider ${name})`));
    }
  }
  if (base?.NODE_ENV === 'production') problems.push(...productionProblems(base, providerSettings));
  if (problems.length > 0 || !base) throw new ConfigError(problems);
  return { ...base, providerSettings };
}
