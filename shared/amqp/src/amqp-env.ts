import { envInt, envList } from '@otpflow/config';
import { z } from 'zod';
import { DEFAULT_RETRY_DELAYS_MS, type TopologyOptions } from './topology.js';

/** The RabbitMQ settings every service reads, with the same names and defaults everywhere. */
export const amqpEnvShape = {
  RABBITMQ_URL: z.string().startsWith('amqp').default('amqp://guest:guest@127.0.0.1:5672'),
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

export function topologyFromEnv(env: AmqpEnv): TopologyOptions {
  return { prefix: env.AMQP_PREFIX, queueType: env.AMQP_QUEUE_TYPE, retryDelaysMs: env.RETRY_DELAYS_MS };
}
