import { amqpEnvShape, withAmqpChecks } from '@otpflow/amqp';
import { envInt, envList, logLevel, nodeEnv, parseEnv } from '@otpflow/config';
import { tenantIdFieldSchema } from '@otpflow/contracts';
import { z } from 'zod';

/** Every variable the service reads, with its rules (test/deploy holds the manifests to it). */
export const envSchema = z.object({
  NODE_ENV: nodeEnv,
  PORT: envInt(8082, { min: 0, max: 65535 }),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: logLevel,
  ...amqpEnvShape,
  PREFETCH: envInt(200, { min: 1, max: 5000 }),
  /** Event ids remembered to drop duplicates: how many, and for how long. */
  DEDUP_WINDOW_SIZE: envInt(200_000, { min: 1000 }),
  DEDUP_WINDOW_SECONDS: envInt(6 * 3600, { min: 60 }),
  /** Clients that get their own `client` label value; empty: the first CLIENT_LABEL_LIMIT seen. */
  METRICS_CLIENTS: envList(tenantIdFieldSchema),
  CLIENT_LABEL_LIMIT: envInt(50, { min: 0, max: 10_000 }),
  SHUTDOWN_TIMEOUT_MS: envInt(10_000, { min: 0 }),
  /**
   * How long a stopping replica keeps serving /metrics once it has handed the events over to the
   * standby, so Prometheus scrapes its final counts: above the scrape interval in production.
   */
  SHUTDOWN_GRACE_MS: envInt(0, { min: 0, max: 120_000 }),
});

export type MetricsConfig = z.output<typeof envSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): MetricsConfig {
  return parseEnv(withAmqpChecks(envSchema), env);
}
