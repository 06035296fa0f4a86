import { parseEnv } from '@otpflow/config';
import { z } from 'zod';

const schema = z.object({
  RABBITMQ_URL: z.string().startsWith('amqp').default('amqp://guest:guest@127.0.0.1:5672'),
  AMQP_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/)
    .default('otp'),
});

/** The dead-letter CLI needs only the broker: the same variables as the services. */
export function loadCliConfig(
  env: Record<string, string | undefined> = process.env,
): z.output<typeof schema> {
  return parseEnv(schema, env);
}
