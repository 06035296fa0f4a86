import { amqpEnvShape, withAmqpChecks } from '@otpflow/amqp';
import { parseEnv } from '@otpflow/config';
import { z } from 'zod';

/** The dead-letter CLI needs only the broker: the same variables as the services (nodes, TLS, prefix). */
const schema = z.object(amqpEnvShape);

export function loadCliConfig(
  env: Record<string, string | undefined> = process.env,
): z.output<typeof schema> {
  return parseEnv(withAmqpChecks(schema), env);
}
