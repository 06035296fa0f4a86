import { readFileSync } from 'node:fs';
import { envInt, envList } from '@otpflow/config';
import type { Logger } from '@otpflow/telemetry';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { AmqpClientOptions } from './amqp-client.js';
import { credentialsOf, vhostOf, type BrokerSettings, type BrokerTls } from './broker-settings.js';
import { ManagementApi } from './management-api.js';
import { POLICY_MODES, QueuePolicyGuard } from './policy-guard.js';
import { DEFAULT_DEAD_LETTER_TTL_MS } from './queue-policies.js';
import { DEFAULT_RETRY_DELAYS_MS, type TopologyOptions } from './topology.js';

const amqpUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'amqp:' || url.protocol === 'amqps:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { message: 'must be an amqp:// or amqps:// URL with a host' },
);

const httpUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { message: 'must be an http:// or https:// URL' },
);

/** A PEM file named by a variable, read once at start-up: the variable fails if it cannot be read. */
const pemFile = z.string().transform((path, ctx) => {
  try {
    const pem = readFileSync(path);
    if (!pem.includes('-----BEGIN ')) {
      ctx.addIssue({ code: 'custom', message: `${path} is not a PEM file` });
      return z.NEVER;
    }
    return pem;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${code})` });
    return z.NEVER;
  }
});

/** The RabbitMQ settings every service reads, with the same names and defaults everywhere. */
export const amqpEnvShape = {
  /** One URL, or a cluster's nodes separated by commas: tried in turn on connect and reconnect. */
  RABBITMQ_URL: envList(amqpUrl).transform((list) =>
    list.length > 0 ? list : ['amqp://guest:guest@127.0.0.1:5672'],
  ),
  RABBITMQ_CONNECT_TIMEOUT_MS: envInt(5_000, { min: 100 }),
  RABBITMQ_TLS_CA_FILE: pemFile.optional(),
  RABBITMQ_TLS_CERT_FILE: pemFile.optional(),
  RABBITMQ_TLS_KEY_FILE: pemFile.optional(),
  RABBITMQ_TLS_KEY_PASSPHRASE: z.string().optional(),
  RABBITMQ_TLS_SERVERNAME: z
    .string()
    .regex(/^[a-zA-Z0-9.-]+$/, 'must be a host name')
    .optional(),
  /** The management API of the same nodes, to apply and verify the queue policies. */
  RABBITMQ_MANAGEMENT_URL: envList(httpUrl),
  RABBITMQ_POLICIES: z.enum(POLICY_MODES).default('warn'),
  /** How long a dead letter is kept before RabbitMQ drops it (the dead-letter queue's policy). */
  DEAD_LETTER_TTL_MS: envInt(DEFAULT_DEAD_LETTER_TTL_MS, { min: 1_000 }),
  AMQP_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/)
    .default('otp'),
  AMQP_QUEUE_TYPE: z.enum(['quorum', 'classic']).default('quorum'),
  RETRY_DELAYS_MS: envList(z.coerce.number().int().min(100)).transform((list) =>
    list.length > 0 ? list : [...DEFAULT_RETRY_DELAYS_MS],
  ),
  PUBLISH_TIMEOUT_MS: envInt(5000, { min: 100 }),
};

export type AmqpEnv = z.output<z.ZodObject<typeof amqpEnvShape>>;

/**
 * Checks across the RabbitMQ variables, for a service's schema: `withAmqpChecks(z.object({...}))`.
 * Every URL of the list must reach the same virtual host the same way (TLS or not), TLS files only
 * make sense with amqps://, and applying or requiring the policies needs the management API.
 */
export function withAmqpChecks<T extends z.ZodType<AmqpEnv>>(schema: T): T {
  return schema.superRefine((env, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    const protocols = new Set(env.RABBITMQ_URL.map((url) => new URL(url).protocol));
    const vhosts = new Set(env.RABBITMQ_URL.map((url) => vhostOf(url)));
    if (protocols.size > 1) problem('RABBITMQ_URL', 'mixes amqp:// and amqps:// URLs');
    if (vhosts.size > 1) problem('RABBITMQ_URL', 'names more than one virtual host');
    const tlsFiles = ['RABBITMQ_TLS_CA_FILE', 'RABBITMQ_TLS_CERT_FILE', 'RABBITMQ_TLS_KEY_FILE'] as const;
    if (!protocols.has('amqps:')) {
      for (const name of tlsFiles) if (env[name]) problem(name, 'is set but RABBITMQ_URL is not amqps://');
    }
    if (Boolean(env.RABBITMQ_TLS_CERT_FILE) !== Boolean(env.RABBITMQ_TLS_KEY_FILE)) {
      problem(
        env.RABBITMQ_TLS_CERT_FILE ? 'RABBITMQ_TLS_KEY_FILE' : 'RABBITMQ_TLS_CERT_FILE',
        'a client certificate needs both RABBITMQ_TLS_CERT_FILE and RABBITMQ_TLS_KEY_FILE',
      );
    }
    if (
      (env.RABBITMQ_POLICIES === 'apply' || env.RABBITMQ_POLICIES === 'require') &&
      env.RABBITMQ_MANAGEMENT_URL.length === 0
    )
      problem('RABBITMQ_MANAGEMENT_URL', `is required with RABBITMQ_POLICIES=${env.RABBITMQ_POLICIES}`);
  });
}

export function topologyFromEnv(env: AmqpEnv): TopologyOptions {
  return { prefix: env.AMQP_PREFIX, queueType: env.AMQP_QUEUE_TYPE, retryDelaysMs: env.RETRY_DELAYS_MS };
}

function tlsFromEnv(env: AmqpEnv): BrokerTls {
  return {
    ...(env.RABBITMQ_TLS_CA_FILE ? { ca: env.RABBITMQ_TLS_CA_FILE } : {}),
    ...(env.RABBITMQ_TLS_CERT_FILE ? { cert: env.RABBITMQ_TLS_CERT_FILE } : {}),
    ...(env.RABBITMQ_TLS_KEY_FILE ? { key: env.RABBITMQ_TLS_KEY_FILE } : {}),
    ...(env.RABBITMQ_TLS_KEY_PASSPHRASE ? { passphrase: env.RABBITMQ_TLS_KEY_PASSPHRASE } : {}),
    ...(env.RABBITMQ_TLS_SERVERNAME ? { servername: env.RABBITMQ_TLS_SERVERNAME } : {}),
  };
}

export function brokerSettingsFromEnv(env: AmqpEnv): BrokerSettings {
  return { urls: env.RABBITMQ_URL, tls: tlsFromEnv(env), connectTimeoutMs: env.RABBITMQ_CONNECT_TIMEOUT_MS };
}

/** The management API of the broker, if RABBITMQ_MANAGEMENT_URL names one; the AMQP user's credentials. */
export function managementApiFromEnv(env: AmqpEnv): ManagementApi | undefined {
  if (env.RABBITMQ_MANAGEMENT_URL.length === 0) return undefined;
  return new ManagementApi({
    urls: env.RABBITMQ_MANAGEMENT_URL,
    credentials: credentialsOf(env.RABBITMQ_URL[0] ?? ''),
    tls: tlsFromEnv(env),
    timeoutMs: env.RABBITMQ_CONNECT_TIMEOUT_MS,
  });
}

/** Everything AmqpClient.start needs, from a service's parsed settings. */
export function amqpClientOptionsFromEnv(
  env: AmqpEnv,
  service: { name: string; logger: Logger; registry?: Registry },
): AmqpClientOptions {
  const topology = topologyFromEnv(env);
  return {
    broker: brokerSettingsFromEnv(env),
    name: service.name,
    topology,
    logger: service.logger,
    publishTimeoutMs: env.PUBLISH_TIMEOUT_MS,
    policies: new QueuePolicyGuard({
      mode: env.RABBITMQ_POLICIES,
      api: managementApiFromEnv(env),
      vhost: vhostOf(env.RABBITMQ_URL[0] ?? ''),
      topology,
      deadLetterTtlMs: env.DEAD_LETTER_TTL_MS,
      logger: service.logger,
      registry: service.registry,
    }),
  };
}
