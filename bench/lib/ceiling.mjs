import { ServiceProcess } from './processes.mjs';

/**
 * The ceiling server (bench/ceiling-server.mjs) as the bench runs it: its own AMQP prefix (it declares
 * its queue with other arguments than the gateway's topology), the gateway's pool size so both servers
 * have the same driver settings, and a message the size of a real send job.
 * `nodeArgs` go before the script (a profiler's flags). `attemptStrategy` is its validate-code's
 * (`auto` by default: as the gateway's, a conditional update only where the store applies it atomically).
 * `sendEvent`: its send-code also publishes a `code.requested` event, as the gateway did before its
 * job became the event (2026-12-02).
 * @param {{ port: number, mongoUrl: string, rabbitUrl: string, prefix: string, messageBytes: number, poolSize?: number, attemptStrategy?: string, sendEvent?: boolean, nodeArgs?: string[] }} settings
 */
export function ceilingProcess(
  {
    port,
    mongoUrl,
    rabbitUrl,
    prefix,
    messageBytes,
    poolSize,
    attemptStrategy = 'auto',
    sendEvent = false,
    nodeArgs = [],
  },
  logFile,
) {
  const env = {
    PORT: String(port),
    MONGODB_URL: mongoUrl,
    RABBITMQ_URL: rabbitUrl,
    AMQP_PREFIX: prefix,
    MESSAGE_BYTES: String(messageBytes),
    ATTEMPT_STRATEGY: attemptStrategy,
    SEND_EVENT: String(sendEvent),
    ...(poolSize === undefined ? {} : { MONGODB_MAX_POOL_SIZE: String(poolSize) }),
  };
  return new ServiceProcess('ceiling', [...nodeArgs, 'bench/ceiling-server.mjs'], env, logFile);
}

/**
 * What a ready ceiling does (its /readyz says): `{ attemptStrategy, sendEvent }`, the validate-code
 * strategy it chose (`conditional-update` or `claims`) and whether its send-code publishes the event.
 */
export async function ceilingSettings(url) {
  const response = await fetch(`${url}/readyz`);
  const { attemptStrategy, sendEvent } = await response.json();
  return { attemptStrategy, sendEvent: sendEvent === true };
}

/** What the ceiling's send-code publishes, for the scripts' output. */
export function ceilingSendPublishes(sendEvent) {
  return sendEvent ? "the job, then the code's event" : 'the job (no event)';
}

/** What each strategy sends the store per validate-code, for the scripts' output. */
export const CEILING_VALIDATE_COMMANDS = {
  'conditional-update': 'one conditional update',
  claims: "the session's read and a claim's insert (the store's conditional updates are not atomic)",
};
