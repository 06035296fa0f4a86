import { amqpEnvShape } from '@otpflow/amqp';
import { ConfigError, nodeEnv, parseEnv } from '@otpflow/config';
import { DEV_JOB_ENCRYPTION_KEYS, jobKeysSchema, usesDevelopmentJobKey } from '@otpflow/contracts';
import { mongoEnvShape } from '@otpflow/mongo';
import { z } from 'zod';

const schema = z.object({
  NODE_ENV: nodeEnv,
  RABBITMQ_URL: amqpEnvShape.RABBITMQ_URL,
  AMQP_PREFIX: amqpEnvShape.AMQP_PREFIX,
  ...mongoEnvShape({ maxPoolSize: 2, serverSelectionTimeoutMs: 5000 }),
  JOB_ENCRYPTION_KEYS: jobKeysSchema.prefault(DEV_JOB_ENCRYPTION_KEYS),
});

export type CliConfig = z.output<typeof schema>;

/**
 * The dead-letter CLI reads the dispatcher's own variables: the broker, and for replays the job keys
 * (a replayed job is opened and its new run signed) and the database (its session must be live).
 */
export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  const config = parseEnv(schema, env);
  if (config.NODE_ENV === 'production' && usesDevelopmentJobKey(config.JOB_ENCRYPTION_KEYS))
    throw new ConfigError(['JOB_ENCRYPTION_KEYS: the development key is refused in production']);
  return config;
}
