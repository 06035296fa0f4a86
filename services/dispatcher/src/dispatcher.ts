import { AmqpClient, amqpClientOptionsFromEnv, EventPublisher, topologyFromEnv } from '@otpflow/amqp';
import {
  fraudBlocksGauge,
  FraudStore,
  fraudCommandCounter,
  fraudFailureCounter,
  fraudReporter,
  fraudSettingsOf,
  startFraudGuard,
} from '@otpflow/fraud';
import { createMetricsRegistry, type Logger } from '@otpflow/telemetry';
import type { Connection } from 'mongoose';
import { assembleDispatcher, type AssembledDispatcher } from './assemble-dispatcher.js';
import { startCallbacks } from './callbacks/start-callbacks.js';
import { systemClock } from './clock.js';
import type { DispatcherConfig } from './config.js';
import { AmqpJobSource } from './consume/amqp-job-source.js';
import { openDeliveryDatabase } from './delivery/delivery-database.js';
import { MongoSessionLookup } from './delivery/session-lookup.js';
import { startProjections } from './projections/start-projections.js';
import { buildProviders } from './providers/registry.js';

export interface RunningDispatcher extends AssembledDispatcher {
  amqp: AmqpClient;
  mongo: Connection;
}

/**
 * The dispatcher's composition root: MongoDB for delivery state, RabbitMQ for jobs and events, the
 * providers from config, all handed as ports to the dispatcher itself (assemble-dispatcher.ts).
 *
 *   RabbitMQ otp.send ─▶ AmqpJobSource ─▶ SendJobHandler ─▶ ProviderRouter ─▶ providers
 *                                            │ a later workflow step: FraudGuard (counts shared in MongoDB)
 *                                            │ decide → effects: MongoDeliveryStore, EventPublisher,
 *                                            │ metrics, retry tiers / dead letters
 *   providers' receipts ─▶ /v1/receipts/{provider} ─▶ MongoDeliveryStore, EventPublisher
 *   RabbitMQ otp.events.callbacks ─▶ CallbackFanout ─▶ otp.callbacks ─▶ CallbackWorker ─▶ tenants
 *   RabbitMQ otp.events.projections ─▶ Projector ─▶ verification records, hourly buckets (read models)
 */
export async function startDispatcher(config: DispatcherConfig, logger: Logger): Promise<RunningDispatcher> {
  const registry = createMetricsRegistry();
  const database = await openDeliveryDatabase(config, logger);
  const amqp = await AmqpClient.start(
    amqpClientOptionsFromEnv(config, { name: 'otpflow-dispatcher', logger, registry }),
  );
  const DAY_MS = 86_400_000;
  const projections = config.PROJECTIONS_ENABLED
    ? await startProjections(
        amqp,
        topologyFromEnv(config),
        database,
        {
          prefetch: config.PROJECTIONS_PREFETCH,
          requeueDelayMs: 1_000,
          recordRetentionMs: config.VERIFICATION_RECORD_RETENTION_DAYS * DAY_MS,
          bucketRetentionMs: config.HOURLY_BUCKET_RETENTION_DAYS * DAY_MS,
        },
        { registry, logger },
      )
    : undefined;
  const mongo = database.connection;
  const events = new EventPublisher(amqp, logger, registry);
  // The gateway's guard state (counts and rules in MongoDB); the gateway keeps its indexes and expiry.
  const fraud = startFraudGuard(
    fraudSettingsOf(config),
    new FraudStore(database.db, fraudCommandCounter(registry), fraudFailureCounter(registry)),
    logger,
    fraudReporter(events, registry, logger),
  );
  fraudBlocksGauge(registry, fraud.guard);
  const callbacks = config.CALLBACKS_ENABLED
    ? await startCallbacks(config, { amqp, db: mongo.getClient().db(mongo.name), registry, logger })
    : undefined;
  const dispatcher = await assembleDispatcher(
    config,
    {
      jobs: new AmqpJobSource(amqp, { prefetch: config.PREFETCH, logger }),
      store: database.store,
      sessions: new MongoSessionLookup(database.connection.getClient().db(database.connection.name)),
      events,
      guard: fraud.guard,
      clock: systemClock,
      providers: buildProviders(config.providerSettings, { logger }),
      registry,
      checks: { mongodb: () => database.ping(), rabbitmq: () => Promise.resolve(amqp.connected) },
      closers: [
        { name: 'drain callbacks', run: () => callbacks?.stop(), timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
        {
          name: 'drain the projector',
          run: () => projections?.stop(),
          timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
        },
        { name: 'flush the fraud counters', run: () => fraud.stop() },
        { name: 'close RabbitMQ', run: () => amqp.close() },
        { name: 'close MongoDB', run: () => database.close() },
      ],
    },
    logger,
  );
  return { ...dispatcher, amqp, mongo: database.connection };
}
