import { topologyFromEnv, type AmqpClient } from '@otpflow/amqp';
import { WebhookEndpoints } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { Db } from 'mongodb';
import type { Registry } from 'prom-client';
import type { DispatcherConfig } from '../config.js';
import { AmqpCallbacks } from './amqp-callbacks.js';
import { CallbackFanout } from './callback-fanout.js';
import { CallbackMetrics } from './callback-metrics.js';
import { CallbackSender } from './callback-sender.js';
import { CallbackWorker } from './callback-worker.js';

/**
 * Status callbacks, wired over the dispatcher's broker connection and database: the fan-out from the
 * events exchange and the worker that POSTs, each on a consumer of its own (docs/ARCHITECTURE.md).
 * Stopping drains both, then closes the sender's connections.
 */
export async function startCallbacks(
  config: DispatcherConfig,
  deps: { amqp: AmqpClient; db: Db; registry: Registry; logger: Logger },
): Promise<{ stop(): Promise<void> }> {
  const logger = deps.logger.child({ component: 'callbacks' });
  const metrics = new CallbackMetrics(deps.registry);
  const endpoints = new WebhookEndpoints(deps.db);
  await endpoints.ensureIndexes();
  const callbacks = new AmqpCallbacks(deps.amqp, {
    topology: { ...topologyFromEnv(config), callbackRetryDelaysMs: config.CALLBACK_RETRY_DELAYS_MS },
    fanoutPrefetch: 16,
    workerPrefetch: config.CALLBACK_PREFETCH,
    giveBackMs: 1_000,
    logger,
  });
  const fanout = new CallbackFanout({ endpoints, enqueue: callbacks.enqueue, metrics, logger });
  const sender = new CallbackSender({
    timeoutMs: config.CALLBACK_TIMEOUT_MS,
    allowPrivateAddresses: config.CALLBACK_ALLOW_PRIVATE_ADDRESSES,
  });
  const worker = new CallbackWorker({
    post: sender.send,
    keys: config.JOB_ENCRYPTION_KEYS,
    maxAttempts: config.CALLBACK_MAX_ATTEMPTS,
    tiersMs: config.CALLBACK_RETRY_DELAYS_MS,
    perEndpointConcurrency: config.CALLBACK_ENDPOINT_CONCURRENCY,
    metrics,
    logger,
  });
  await callbacks.start(fanout, worker);
  logger.info(
    { prefetch: config.CALLBACK_PREFETCH, timeoutMs: config.CALLBACK_TIMEOUT_MS },
    'callbacks running',
  );
  return {
    // The worker drains first: its last POSTs still need the sender's connections.
    stop: async () => {
      await callbacks.stop();
      await sender.close();
    },
  };
}
