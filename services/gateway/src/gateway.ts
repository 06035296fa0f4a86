import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpClient, amqpClientOptionsFromEnv, EventPublisher } from '@otpflow/amqp';
import { closeServer, createShutdown, listen, type Shutdown } from '@otpflow/lifecycle';
import { pingMongo, type NumbersCollectionDocument, type StoreCapabilities } from '@otpflow/mongo';
import { createMetricsRegistry, shutdownTracing, type Logger } from '@otpflow/telemetry';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { createApp } from './app.js';
import { createAuthenticator } from './auth/create-authenticator.js';
import type { GatewayConfig } from './config.js';
import { fraudBlocksGauge, fraudReporter, fraudSettingsOf, startFraudGuard } from '@otpflow/fraud';
import { openGatewayDatabase } from './gateway-database.js';
import { createExpressServer } from './http/express-server.js';
import { buildCodeServices } from './otp/code-services.js';
import type { CodeAddresses } from './otp/keys.js';
import type { SessionStore } from './otp/session-store.js';
import type { AttemptGuard, GuardContext } from './otp/store/attempt-guard.js';
import { chooseAttemptGuard } from './otp/store/choose-attempt-guard.js';
import type { PolicyStore } from './policies/policy.store.js';
import type { TemplateStore } from './templates/template.store.js';

export interface RunningGateway {
  url: string;
  server: Server;
  mongo: Connection;
  amqp: AmqpClient;
  /** The number-state store, and how its codes are addressed (tests look codes up through them). */
  store: SessionStore;
  addresses: CodeAddresses;
  numbers: Collection<NumbersCollectionDocument>;
  guard: AttemptGuard;
  capabilities: StoreCapabilities;
  policies: PolicyStore;
  templates: TemplateStore;
  shutdown: Shutdown;
}

export interface GatewayOverrides {
  /**
   * Builds the attempt guard instead of ATTEMPT_STRATEGY. Tests use it to run the MongoDB strategy's
   * one-at-a-time semantics on FerretDB, where the config rightly refuses it.
   */
  attemptGuard?: (context: GuardContext) => AttemptGuard;
}

/**
 * The gateway's composition root, used by main.ts and the tests:
 *
 *   HTTP ─▶ app (security headers, ops, x-correlator, metrics) ─▶ the route table (api-routes.ts):
 *           gates (auth, scope, rate, negotiation, body) ─▶ handler ─▶ CodeIssuer / CodeChecker,
 *           PolicyStore, TemplateStore, WebhookEndpoints
 *   CodeIssuer ─▶ MongoSessionStore (numbers, through the AttemptGuard) ─▶ SendJobPublisher ─▶ RabbitMQ
 *   CodeIssuer, CodeChecker ─▶ FraudGuard (from memory; counts shared through MongoDB)
 *   CodeIssuer, CodeChecker ─▶ EventPublisher ─▶ RabbitMQ events (the metrics service)
 */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  overrides: GatewayOverrides = {},
): Promise<RunningGateway> {
  const registry = createMetricsRegistry();
  const database = await openGatewayDatabase(config, logger, registry);
  const { store, numbers, limits, templates, policies } = database;
  const guardContext: GuardContext = {
    collection: numbers,
    capabilities: store.capabilities,
    lockoutSeconds: config.LOCKOUT_SECONDS,
  };
  const guard =
    overrides.attemptGuard?.(guardContext) ??
    chooseAttemptGuard(config.ATTEMPT_STRATEGY, store.capabilities, guardContext);
  logger.info({ attemptStrategy: guard.strategy }, 'attempts counted by %s', guard.strategy);

  const amqp = await AmqpClient.start(
    amqpClientOptionsFromEnv(config, { name: 'otpflow-gateway', logger, registry }),
  );
  const events = new EventPublisher(amqp, logger, registry);
  const fraudGuard = startFraudGuard(
    fraudSettingsOf(config),
    database.fraud,
    logger,
    fraudReporter(events, registry, logger),
  );
  fraudBlocksGauge(registry, fraudGuard.guard);
  const codes = buildCodeServices(config, {
    numbers,
    capabilities: store.capabilities,
    guard,
    limits,
    templates,
    amqp,
    events,
    fraud: fraudGuard.guard,
    logger,
  });

  const readiness = { accepting: true };
  const app = createApp({
    ...database,
    ...codes,
    fraudGuard: fraudGuard.guard,
    authenticator: createAuthenticator(config),
    registry,
    logger,
    ops: {
      registry,
      isAccepting: () => readiness.accepting,
      checks: { mongodb: () => pingMongo(store.connection), rabbitmq: () => Promise.resolve(amqp.connected) },
    },
    settings: {
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      messageMaxLength: config.MESSAGE_MAX_LENGTH,
      trustProxyHops: config.TRUST_PROXY_HOPS,
    },
    webhooks: {
      endpoints: database.webhookEndpoints,
      jobKeys: config.JOB_ENCRYPTION_KEYS,
      allowHttp: config.WEBHOOK_ALLOW_HTTP,
      allowPrivateAddresses: config.CALLBACK_ALLOW_PRIVATE_ADDRESSES,
    },
  });
  const server = createExpressServer(app);
  const port = await listen(server, config.PORT, config.HOST);
  logger.info({ port }, 'gateway listening');

  const shutdown = createShutdown(logger, [
    {
      name: 'turn unready',
      run: async () => {
        readiness.accepting = false;
        await sleep(config.SHUTDOWN_GRACE_MS);
      },
    },
    {
      name: 'finish in-flight requests',
      run: () => closeServer(server),
      timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    },
    { name: 'flush the fraud counters', run: () => fraudGuard.stop() },
    { name: 'close RabbitMQ', run: () => amqp.close() },
    { name: 'close MongoDB', run: () => store.close() },
    { name: 'flush telemetry', run: shutdownTracing },
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    mongo: store.connection,
    amqp,
    store: codes.store,
    addresses: codes.addresses,
    numbers,
    guard,
    capabilities: store.capabilities,
    policies,
    templates,
    shutdown,
  };
}
