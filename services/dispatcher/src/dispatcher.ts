import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AmqpClient, amqpClientOptionsFromEnv, EventPublisher, QueueConsumer } from '@otpflow/amqp';
import { closeServer, createOpsHandler, createShutdown, type Shutdown } from '@otpflow/lifecycle';
import {
  claimModel,
  deliveryModel,
  mongoSettingsFromEnv,
  openStore,
  pingMongo,
  type ClaimModel,
  type DeliveryModel,
} from '@otpflow/mongo';
import { createMetricsRegistry, shutdownTracing, type Logger } from '@otpflow/telemetry';
import type { Connection } from 'mongoose';
import type { DispatcherConfig } from './config.js';
import { JobRepublisher } from './consume/job-republisher.js';
import { SendJobHandler } from './consume/send-job.handler.js';
import { DeliveryStore } from './delivery/delivery-store.js';
import { createDispatcherMetrics, initialiseSeries } from './dispatcher-metrics.js';
import type { Provider } from './providers/provider.js';
import { buildProviders } from './providers/registry.js';
import type { ReceiptVerifier } from './receipts/delivery-receipt.js';
import { receiptEndpoint } from './receipts/receipt-endpoint.js';
import { TwilioReceiptVerifier } from './receipts/twilio.receipts-verifier.js';
import { WebhookReceiptVerifier } from './receipts/webhook.receipts.js';
import { ProviderRouter } from './routing/provider-router.js';

export interface RunningDispatcher {
  url: string;
  server: Server;
  mongo: Connection;
  amqp: AmqpClient;
  consumer: QueueConsumer;
  router: ProviderRouter;
  shutdown: Shutdown;
}

export interface DispatcherOverrides {
  /** Provider instances to use instead of building them from config (tests). */
  providers?: Map<string, Provider>;
}

/** Receipts are taken from the providers in use that send them, each authenticated its own way. */
function receiptVerifiers(config: DispatcherConfig): ReceiptVerifier[] {
  const verifiers: ReceiptVerifier[] = [];
  if (config.WEBHOOK_RECEIPT_SECRET)
    verifiers.push(new WebhookReceiptVerifier(config.WEBHOOK_RECEIPT_SECRET));
  const twilio = config.providerSettings.get('twilio') as { TWILIO_AUTH_TOKEN: string } | undefined;
  if (twilio) verifiers.push(new TwilioReceiptVerifier(twilio.TWILIO_AUTH_TOKEN));
  return verifiers;
}

/** Wires the dispatcher: database, providers and routing, the job consumer, receipts and ops HTTP. */
export async function startDispatcher(
  config: DispatcherConfig,
  logger: Logger,
  overrides: DispatcherOverrides = {},
): Promise<RunningDispatcher> {
  const registry = createMetricsRegistry('dispatcher');
  const metrics = createDispatcherMetrics(registry);

  let models: { deliveries: DeliveryModel; claims: ClaimModel } | undefined;
  const database = await openStore(
    mongoSettingsFromEnv(config),
    logger,
    (connection) => {
      models = { deliveries: deliveryModel(connection), claims: claimModel(connection) };
      return {
        models: [models.deliveries, models.claims],
        expiring: [
          { collection: models.deliveries.collection, field: 'purgeAt' },
          { collection: models.claims.collection, field: 'purgeAt' },
        ],
      };
    },
    config.EXPIRY_SWEEP_INTERVAL_MS,
  );
  if (!models) throw new Error('the store opened without its collections');
  const store = new DeliveryStore(models.deliveries, models.claims, {
    leaseMs: config.SEND_LEASE_MS,
    tombstoneSeconds: config.TOMBSTONE_SECONDS,
  });

  const providers = overrides.providers ?? buildProviders(config.providerSettings, { logger });
  initialiseSeries(metrics, [...providers.values()]);
  const router = new ProviderRouter(
    providers,
    {
      defaults: { sms: config.SMS_PROVIDERS, voice: config.VOICE_PROVIDERS },
      byCountry: { sms: config.SMS_PROVIDERS_BY_COUNTRY, voice: config.VOICE_PROVIDERS_BY_COUNTRY },
    },
    { failures: config.CIRCUIT_BREAKER_FAILURES, halfOpenAfterMs: config.CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS },
    (provider, state) => {
      metrics.setCircuitState(provider, state);
      if (state !== 'closed') logger.warn({ provider, state }, 'provider circuit changed');
    },
  );

  const amqp = await AmqpClient.start(
    amqpClientOptionsFromEnv(config, { name: 'otpflow-dispatcher', logger, registry }),
  );
  const events = new EventPublisher(amqp, logger, registry);
  const handler = new SendJobHandler({
    keys: config.JOB_ENCRYPTION_KEYS,
    store,
    router,
    republisher: new JobRepublisher(amqp),
    events,
    metrics,
    logger,
    settings: {
      maxAttempts: config.MAX_DELIVERY_ATTEMPTS,
      retryTiersMs: config.RETRY_DELAYS_MS,
      providerTimeoutMs: config.PROVIDER_TIMEOUT_MS,
      smsFallbackToVoice: config.SMS_FALLBACK_TO_VOICE,
    },
  });
  const consumer = new QueueConsumer({
    queue: amqp.names.sendQueue,
    prefetch: config.PREFETCH,
    handler: handler.handle,
    logger,
    onCancelled: () => amqp.reconnect('the work queue consumer was cancelled'),
  });
  await amqp.onConnect((model) => consumer.attach(model));

  let accepting = true;
  const ops = createOpsHandler({
    registry,
    isAccepting: () => accepting,
    checks: {
      mongodb: () => pingMongo(database.connection),
      rabbitmq: () => Promise.resolve(amqp.connected),
    },
  });
  const receipts = receiptEndpoint({
    verifiers: receiptVerifiers(config),
    store,
    events,
    metrics,
    logger,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  const server = createServer((request, response) => {
    void (async () => {
      if ((await ops(request, response)) || (await receipts(request, response))) return;
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ status: 404, code: 'NOT_FOUND', message: 'The specified resource is not found.' }),
      );
    })().catch((error: unknown) => {
      logger.error({ err: error }, 'request failed');
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const { port } = server.address() as AddressInfo;
  logger.info(
    { port, sms: config.SMS_PROVIDERS, voice: config.VOICE_PROVIDERS, prefetch: config.PREFETCH },
    'dispatcher running',
  );

  const shutdown = createShutdown(logger, [
    { name: 'turn unready', run: () => void (accepting = false) },
    { name: 'drain in-flight jobs', run: () => consumer.stop(), timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
    { name: 'close HTTP', run: () => closeServer(server) },
    { name: 'close providers', run: () => router.close() },
    { name: 'close RabbitMQ', run: () => amqp.close() },
    { name: 'close MongoDB', run: () => database.close() },
    { name: 'flush telemetry', run: shutdownTracing },
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    mongo: database.connection,
    amqp,
    consumer,
    router,
    shutdown,
  };
}
