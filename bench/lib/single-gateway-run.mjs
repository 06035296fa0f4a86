import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../services/gateway/dist/config.js';
import { ceilingProcess } from './ceiling.mjs';
import { CODE_HASH_SECRET, gatewayEnv } from './documents.mjs';
import { Infrastructure } from './infrastructure.mjs';
import { ceilingAttempts, ceilingEvent } from './options.mjs';
import { ROOT } from './processes.mjs';

export { runStamp } from './run-stamp.mjs';

/**
 * What a script that loads one gateway beside the ceiling sets up first (profile, instructions,
 * compare): the run's names, its results directory, the store and broker connections with the run's
 * database and both prefixes (the ceiling declares its queue with other arguments than the gateway's
 * topology does, so it has its own), the gateway's environment, and the ceiling's process on them
 * (`ceilingAt`), with the gateway's own driver pool (its default, read from its configuration) and the
 * validate-code strategy `--ceiling-attempts` asks for, and the event `--ceiling-event` adds to its
 * send-code (CEILING_OPTIONS).
 * @param {string} runId e.g. `profile_${runStamp()}`
 * @param {{ 'mongodb-url': string, 'rabbitmq-url': string, 'log-level'?: string, 'ceiling-attempts': string, 'ceiling-event'?: boolean }} values the script's options
 */
export async function openSingleGatewayRun(runId, values) {
  const database = `${runId}_otpflow`;
  const prefix = `${runId}.otp`;
  const ceilingPrefix = `${runId}.ceiling`;
  const outDir = join(ROOT, 'bench/results', runId);
  mkdirSync(outDir, { recursive: true });
  const rabbitUrl = values['rabbitmq-url'];
  const infra = await new Infrastructure({
    mongoUrl: values['mongodb-url'],
    rabbitUrl,
    codeHashSecret: CODE_HASH_SECRET,
  }).connect();
  const mongoUrl = infra.databaseUrl(database);
  infra.usePrefix(prefix);
  infra.usePrefix(ceilingPrefix);
  const logLevel = values['log-level'] ?? 'info';
  const env = (port) => gatewayEnv({ port, mongoUrl, rabbitUrl, prefix, logLevel, testNumbers: 5000 });
  const poolSize = loadConfig(env(0)).MONGODB_MAX_POOL_SIZE;
  const attemptStrategy = ceilingAttempts(values);
  const sendEvent = ceilingEvent(values);
  /** The ceiling on this run's store, broker and prefix: `nodeArgs` go before its script. */
  const ceilingAt = ({ port, messageBytes, nodeArgs }, logFile) =>
    ceilingProcess(
      {
        port,
        mongoUrl,
        rabbitUrl,
        prefix: ceilingPrefix,
        messageBytes,
        poolSize,
        attemptStrategy,
        sendEvent,
        nodeArgs,
      },
      logFile,
    );
  return {
    runId,
    database,
    prefix,
    ceilingPrefix,
    outDir,
    infra,
    env,
    poolSize,
    attemptStrategy,
    sendEvent,
    ceilingAt,
  };
}
