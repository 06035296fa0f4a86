import { amqpEnvShape, withAmqpChecks } from '@otpflow/amqp';
import { ConfigError, nodeEnv, parseEnv } from '@otpflow/config';
import { DEV_JOB_ENCRYPTION_KEYS, jobKeysSchema, usesDevelopmentJobKey } from '@otpflow/contracts';
import { mongoEnvShape } from '@otpflow/mongo';
import { z } from 'zod';

/**
 * The dead-letter CLI reads the dispatcher's own variables: the broker (the same variables as the
 * services: nodes, TLS, prefix), and for replays the job keys (a replayed job is opened and its new
 * run signed) and the database (its code must still be live).
 */
const schema = z.object({
  NODE_ENV: nodeEnv,
  ...amqpEnvShape,
  ...mongoEnvShape({ maxPoolSize: 2, serverSelectionTimeoutMs: 5000 }),
  JOB_ENCRYPTION_KEYS: jobKeysSchema.prefault(DEV_JOB_ENCRYPTION_KEYS),
});

export type CliConfig = z.output<typeof schema>;

export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  const config = parseEnv(withAmqpChecks(schema), env);
  if (config.NODE_ENV === 'production' && usesDevelopmentJobKey(config.JOB_ENCRYPTION_KEYS))
    throw new ConfigError(['JOB_ENCRYPTION_KEYS: the development key is refused in production']);
  return config;
}
