import { ServiceProcess } from './processes.mjs';

/**
 * The ceiling server (bench/ceiling-server.mjs) as the bench runs it: its own AMQP prefix (it declares
 * its queue with other arguments than the gateway's topology), the gateway's pool size so both servers
 * have the same driver settings, and a message the size of a real send job.
 * `nodeArgs` go before the script (a profiler's flags).
 * @param {{ port: number, mongoUrl: string, rabbitUrl: string, prefix: string, messageBytes: number, poolSize?: number, nodeArgs?: string[] }} settings
 */
export function ceilingProcess(
  { port, mongoUrl, rabbitUrl, prefix, messageBytes, poolSize, nodeArgs = [] },
  logFile,
) {
  const env = {
    PORT: String(port),
    MONGODB_URL: mongoUrl,
    RABBITMQ_URL: rabbitUrl,
    AMQP_PREFIX: prefix,
    MESSAGE_BYTES: String(messageBytes),
    ...(poolSize === undefined ? {} : { MONGODB_MAX_POOL_SIZE: String(poolSize) }),
  };
  return new ServiceProcess('ceiling', [...nodeArgs, 'bench/ceiling-server.mjs'], env, logFile);
}
