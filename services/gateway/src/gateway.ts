import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpClient, amqpClientOptionsFromEnv, EventPublisher } from '@otpflow/amqp';
import { closeServer, createShutdown, listen, type Shutdown } from '@otpflow/lifecycle';
import {
  countStoreCommands,
  deliveryModel,
  mongoSettingsFromEnv,
  numbersCollection,
  numbersExpiry,
  openStore,
  pingMongo,
  type DeliveryModel,
  type NumbersCollectionDocument,
  type StoreCapabilities,
  WebhookEndpoints,
} from '@otpflow/mongo';

import type { Collection, Db } from 'mongodb';
import { createMetricsRegistry, shutdownTracing, type Logger } from '@otpflow/telemetry';
import type { Connection } from 'mongoose';
import type { Registry } from 'prom-client';
import { createApp } from './app.js';
import { createAuthenticator } from './auth/create-authenticator.js';
import type { GatewayConfig } from './config.js';
import { IdempotencyStore } from './http/idempotency.js';
import { ReadModelReader } from './listing/read-models.reader.js';
import { SendJobPublisher } from './messaging/send-job.publisher.js';
import { CodeHasher } from './otp/code.js';
import { CodeAddresses } from './otp/keys.js';
import { Limits } from './otp/limits.js';
import { MessageRenderer } from './otp/message-renderer.js';
import { PhonePolicy } from './otp/phone-policy.js';
import type { SessionStore } from './otp/session-store.js';
import type { AttemptGuard, GuardContext } from './otp/store/attempt-guard.js';
import { ClaimsGuard } from './otp/store/claims.guard.js';
import { ConditionalUpdateGuard } from './otp/store/conditional-update.guard.js';
import { MongoSessionStore } from './otp/store/mongo-session.store.js';
import { TestNumbers } from './otp/test-numbers.js';
import { CodeChecker } from './otp/code-checker.js';
import { CodeIssuer } from './otp/code-issuer.js';
import { defaultPolicy, type PolicyDefaults } from './policies/client-policy.js';
import { PolicyStore } from './policies/policy.store.js';
import { TemplateStore } from './templates/template.store.js';
import { fraudSettingsOf } from './fraud/fraud-env.js';
import { fraudReporter } from './fraud/fraud-report.js';
import { FraudStore, fraudCommandCounter } from './fraud/fraud-store.js';
import { startFraudGuard } from './fraud/fraud-sync.js';

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

/** Picks how attempts are counted: conditional updates where the store applies them atomically. */
export function chooseAttemptGuard(
  strategy: GatewayConfig['ATTEMPT_STRATEGY'],
  capabilities: StoreCapabilities,
  context: GuardContext,
): AttemptGuard {
  if (strategy === 'conditional-update' && !capabilities.atomicConditionalUpdates) {
    throw new Error(
      `ATTEMPT_STRATEGY=conditional-update is unsafe on ${capabilities.kind}: its updates are not atomic`,
    );
  }
  const conditional =
    strategy === 'conditional-update' || (strategy === 'auto' && capabilities.atomicConditionalUpdates);
  return conditional ? new ConditionalUpdateGuard(context) : new ClaimsGuard(context);
}

export interface GatewayOverrides {
  /**
   * Builds the attempt guard instead of ATTEMPT_STRATEGY. Tests use it to run the MongoDB strategy's
   * one-at-a-time semantics on FerretDB, where the config rightly refuses it.
   */
  attemptGuard?: (context: GuardContext) => AttemptGuard;
}

/** The gateway's collections and the stores built on them. */
async function openGatewayStore(config: GatewayConfig, logger: Logger, registry: Registry) {
  let parts:
    | {
        numbers: Collection<NumbersCollectionDocument>;
        deliveries: DeliveryModel;
        db: Db;
        limits: Limits;
        idempotency: IdempotencyStore;
        fraud: FraudStore;
      }
    | undefined;
  const store = await openStore(
    { ...mongoSettingsFromEnv(config), monitorCommands: config.MONGODB_COMMAND_METRICS },
    logger,
    (connection) => {
      // Counted from the first command on, so the figures include the start-up's index builds.
      if (config.MONGODB_COMMAND_METRICS) countStoreCommands(connection.getClient(), registry);
      const db = connection.getClient().db(connection.name);
      parts = {
        numbers: numbersCollection(db),
        deliveries: deliveryModel(connection),
        db,
        limits: new Limits(db, {
          requestRate: { points: config.CLIENT_RATE_LIMIT, windowSeconds: config.CLIENT_RATE_WINDOW_SECONDS },
          quota: { points: config.CLIENT_QUOTA, windowSeconds: config.CLIENT_QUOTA_WINDOW_SECONDS },
          leaseSize: config.LIMIT_LEASE_SIZE,
        }),
        idempotency: new IdempotencyStore(db, config.IDEMPOTENCY_TTL_SECONDS, {
          leaseMs: config.IDEMPOTENCY_LEASE_SECONDS * 1000,
        }),
        fraud: new FraudStore(db, fraudCommandCounter(registry)),
      };
      return {
        // The gateway's collections are the driver's: no mongoose model of its own to index.
        models: [],
        expiring: [
          numbersExpiry(db),
          ...parts.limits.expiringCollections(),
          parts.idempotency.expiringCollection(),
          ...parts.fraud.expiringCollections(),
        ],
      };
    },
    config.EXPIRY_SWEEP_INTERVAL_MS,
  );
  if (!parts) throw new Error('the store opened without its collections');
  const templates = new TemplateStore(parts.db);
  const webhooks = new WebhookEndpoints(parts.db);
  await webhooks.ensureIndexes();
  await parts.limits.ensureKeyIndexes();
  await templates.ensureIndexes();
  await parts.fraud.ensureIndexes();
  const policies = new PolicyStore(
    parts.db,
    defaultPolicy(policyDefaults(config)),
    config.POLICY_CACHE_SECONDS,
  );
  return { store, ...parts, templates, policies, webhooks };
}

/** Wires the gateway: database, broker, domain, HTTP. Used by main.ts and by the tests. */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  overrides: GatewayOverrides = {},
): Promise<RunningGateway> {
  const registry = createMetricsRegistry();
  const { store, db, numbers, deliveries, limits, idempotency, templates, policies, webhooks, fraud } =
    await openGatewayStore(config, logger, registry);
  const guardContext: GuardContext = {
    collection: numbers,
    capabilities: store.capabilities,
    lockoutSeconds: config.LOCKOUT_SECONDS,
  };
  const guard =
    overrides.attemptGuard?.(guardContext) ??
    chooseAttemptGuard(config.ATTEMPT_STRATEGY, store.capabilities, guardContext);
  logger.info({ attemptStrategy: guard.strategy }, 'attempts counted by %s', guard.strategy);
  const numberState = new MongoSessionStore({
    collection: numbers,
    guard,
    capabilities: store.capabilities,
    logger,
  });
  const addresses = new CodeAddresses(config.CODE_HASH_SECRET);

  const amqp = await AmqpClient.start(
    amqpClientOptionsFromEnv(config, { name: 'otpflow-gateway', logger, registry }),
  );

  const hasher = new CodeHasher(config.CODE_HASH_SECRET);
  const events = new EventPublisher(amqp, logger, registry);
  const fraudGuard = startFraudGuard(
    fraudSettingsOf(config),
    fraud,
    logger,
    fraudReporter(events, registry, logger),
  );
  const issuer = new CodeIssuer({
    store: numberState,
    addresses,
    hasher,
    limits,
    phonePolicy: new PhonePolicy({
      servedPrefixes: config.SERVED_PREFIXES,
      deniedPrefixes: config.DENIED_PREFIXES,
      blockedNumbers: config.BLOCKED_NUMBERS,
      validation: config.PHONE_VALIDATION,
    }),
    testNumbers: new TestNumbers(config.TEST_NUMBERS),
    renderer: new MessageRenderer(templates),
    jobs: new SendJobPublisher(amqp, config.JOB_ENCRYPTION_KEYS),
    events,
    fraud: fraudGuard.guard,
    logger,
    tombstoneSeconds: config.TOMBSTONE_SECONDS,
    ...(config.NUMBER_MAX_SENDS > 0
      ? { numberCap: { max: config.NUMBER_MAX_SENDS, windowSeconds: config.NUMBER_SEND_WINDOW_SECONDS } }
      : {}),
  });
  const checker = new CodeChecker(numberState, addresses, hasher, events, fraudGuard.guard);
  const authenticator = createAuthenticator(config);

  let accepting = true;
  const app = createApp({
    authenticator,
    limits,
    policies,
    templates,
    issuer,
    checker,
    deliveries,
    idempotency,
    readModels: new ReadModelReader(db),
    fraud,
    registry,
    logger,
    ops: {
      registry,
      isAccepting: () => accepting,
      checks: { mongodb: () => pingMongo(store.connection), rabbitmq: () => Promise.resolve(amqp.connected) },
    },
    settings: {
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      messageMaxLength: config.MESSAGE_MAX_LENGTH,
      trustProxyHops: config.TRUST_PROXY_HOPS,
    },
    webhooks: { webhooks, jobKeys: config.JOB_ENCRYPTION_KEYS, allowHttp: config.WEBHOOK_ALLOW_HTTP },
  });
  const server = createServer(app);
  const port = await listen(server, config.PORT, config.HOST);
  logger.info({ port }, 'gateway listening');

  const shutdown = createShutdown(logger, [
    {
      name: 'turn unready',
      run: async () => {
        accepting = false;
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
    store: numberState,
    addresses,
    numbers,
    guard,
    capabilities: store.capabilities,
    policies,
    templates,
    shutdown,
  };
}

/** The deployment-wide defaults of every client policy, from the settings. */
export function policyDefaults(config: GatewayConfig): PolicyDefaults {
  return {
    codeLength: config.CODE_LENGTH,
    validitySeconds: config.CODE_TTL_SECONDS,
    maxAttempts: config.MAX_ATTEMPTS,
    maxSends: config.MAX_SENDS,
    sendWindowSeconds: config.SEND_WINDOW_SECONDS,
    smsNumberTypes: config.SMS_NUMBER_TYPES,
    voiceNumberTypes: config.VOICE_NUMBER_TYPES,
  };
}
