import { ServiceProcess } from './processes.mjs';

/**
 * The ceiling server (bench/ceiling-server.mjs) as the bench runs it: its own AMQP prefix (it declares
 * its queue with other arguments than the gateway's topology), the gateway's pool size so both servers
 * have the same driver settings, and a message the size of a real send job.
 * `nodeArgs` go before the script (a profiler's flags). `attemptStrategy` is its validate-code's
 * (`auto` by default: as the gateway's, a conditional update only where the store applies it atomically).
 * @param {{ port: number, mongoUrl: string, rabbitUrl: string, prefix: string, messageBytes: number, poolSize?: number, attemptStrategy?: string, nodeArgs?: string[] }} settings
 */
export function ceilingProcess(
  { port, mongoUrl, rabbitUrl, prefix, messageBytes, poolSize, attemptStrategy = 'auto', nodeArgs = [] },
  logFile,
) {
  const env = {
    PORT: String(port),
    MONGODB_URL: mongoUrl,
    RABBITMQ_URL: rabbitUrl,
    AMQP_PREFIX: prefix,
    MESSAGE_BYTES: String(messageBytes),
    ATTEMPT_STRATEGY: attemptStrategy,
    ...(poolSize === undefined ? {} : { MONGODB_MAX_POOL_SIZE: String(poolSize) }),
  };
  return new ServiceProcess('ceiling', [...nodeArgs, 'bench/ceiling-server.mjs'], env, logFile);
}

/** The validate-code strategy a ready ceiling chose (its /readyz says): `conditional-update` or `claims`. */
export async function ceilingAttemptStrategy(url) {
  const response = await fetch(`${url}/readyz`);
  const { attemptStrategy } = await response.json();
  return attemptStrategy;
}

/** What each strategy sends the store per validate-code, for the scripts' output. */
export const CEILING_VALIDATE_COMMANDS = {
  'conditional-update': 'one conditional update',
  claims: "the session's read and a claim's insert (the store's conditional updates are not atomic)",
};
