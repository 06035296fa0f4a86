import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpClient, EventPublisher } from '@otpflow/amqp';
import { closeServer, createShutdown, type Shutdown } from '@otpflow/lifecycle';
import {
  claimModel,
  connectMongo,
  deliveryModel,
  detectStoreCapabilities,
  ensureIndexes,
  pingMongo,
  sessionModel,
  startExpirySweeper,
  type ClaimModel,
  type SessionModel,
  type StoreCapabilities,
} from '@otpflow/mongo';
import { createMetricsRegistry, shutdownTracing, type Logger } from '@otpflow/telemetry';
import type { Connection } from 'mongoose';
import { createApp } from './app.js';
import { ApiKeyRegistry } from './auth/api-keys.js';
import { Authenticator } from './auth/authenticator.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import type { GatewayConfig } from './config.js';
import { IdempotencyStore } from './http/idempotency.js';
import { SendJobPublisher } from './messaging/send-job.publisher.js';
import type { AttemptGuard } from './otp/attempt-guard.js';
import { ClaimsGuard } from './otp/claims.guard.js';
import { CodeHasher } from './otp/code.js';
import { ConditionalUpdateGuard } from './otp/conditional-update.guard.js';
import { Limits } from './otp/limits.js';
import { PhonePolicy } from './otp/phone-policy.js';
import { TestNumbers } from './otp/test-numbers.js';
import { CodeChecker } from './otp/code-checker.js';
import { CodeIssuer } from './otp/code-issuer.js';
import { defaultPolicy } from './policies/client-policy.js';
import { PolicyStore } from './policies/policy.store.js';
import { TemplateStore } from './templates/template.store.js';

export interface RunningGateway {
  url: string;
  server: Server;
  mongo: Connection;
  amqp: AmqpClient;
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
  sessions: SessionModel,
  claims: ClaimModel,
): AttemptGuard {
  if (strategy === 'conditional-update' && !capabilities.atomicConditionalUpdates) {
    throw new Error(
      `ATTEMPT_STRATEGY=conditional-update is unsafe on ${capabilities.kind}: its updates are not atomic`,
    );
  }
  const conditional =
    strategy === 'conditional-update' || (strategy === 'auto' && capabilities.atomicConditionalUpdates);
  return conditional ? new ConditionalUpdateGuard(sessions) : new ClaimsGuard(sessions, claims);
}

export interface GatewayOverrides {
  /**
   * Builds the attempt guard instead of ATTEMPT_STRATEGY. Tests use it to run the MongoDB strategy's
   * one-at-a-time semantics on FerretDB, where the config rightly refuses it.
   */
  attemptGuard?: (sessions: SessionModel, claims: ClaimModel) => AttemptGuard;
}

/** Wires the gateway: database, broker, domain, HTTP. Used by main.ts and by the tests. */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  overrides: GatewayOverrides = {},
): Promise<RunningGateway> {
  const registry = createMetricsRegistry('gateway');

  const mongo = await connectMongo(
    {
      url: config.MONGODB_URL,
      maxPoolSize: config.MONGODB_MAX_POOL_SIZE,
      serverSelectionTimeoutMs: config.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    },
    logger,
  );
  const capabilities = await detectStoreCapabilities(mongo);
  const sessions = sessionModel(mongo);
  const claims = claimModel(mongo);
  const deliveries = deliveryModel(mongo);
  const db = mongo.getClient().db(mongo.name);
  const limits = new Limits(db, {
    requestRate: { points: config.CLIENT_RATE_LIMIT, windowSeconds: config.CLIENT_RATE_WINDOW_SECONDS },
    quota: { points: config.CLIENT_QUOTA, windowSeconds: config.CLIENT_QUOTA_WINDOW_SECONDS },
  });
  const idempotency = new IdempotencyStore(db, config.IDEMPOTENCY_TTL_SECONDS);
  const templates = new TemplateStore(db);
  const policies = new PolicyStore(
    db,
    defaultPolicy({
      codeLength: config.CODE_LENGTH,
      validitySeconds: config.CODE_TTL_SECONDS,
      maxAttempts: config.MAX_ATTEMPTS,
      maxSends: config.MAX_SENDS,
      sendWindowSeconds: config.SEND_WINDOW_SECONDS,
    }),
    config.POLICY_CACHE_SECONDS,
  );
  const expiring = [
    { collection: sessions.collection, field: 'purgeAt' },
    { collection: claims.collection, field: 'purgeAt' },
    ...limits.expiringCollections(),
    idempotency.expiringCollection(),
  ];
  await ensureIndexes([sessions, claims], expiring, capabilities);
  await limits.ensureKeyIndexes();
  await templates.ensureIndexes();
  const stopSweeper = capabilities.ttlIndexes
    ? undefined
    : startExpirySweeper(expiring, config.EXPIRY_SWEEP_INTERVAL_MS, logger);
  const guard =
    overrides.attemptGuard?.(sessions, claims) ??
    chooseAttemptGuard(config.ATTEMPT_STRATEGY, capabilities, sessions, claims);
  logger.info(
    { store: capabilities.kind, version: capabilities.version, attemptStrategy: guard.strategy },
    'database ready',
  );

  const amqp = await AmqpClient.start({
    url: config.RABBITMQ_URL,
    name: 'otpflow-gateway',
    topology: {
      prefix: config.AMQP_PREFIX,
      queueType: config.AMQP_QUEUE_TYPE,
      retryDelaysMs: config.RETRY_DELAYS_MS,
    },
    logger,
    publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
  });

  const hasher = new CodeHasher(config.CODE_HASH_SECRET);
  const events = new EventPublisher(amqp, logger, registry);
  const issuer = new CodeIssuer({
    sessions,
    hasher,
    limits,
    phonePolicy: new PhonePolicy({
      servedPrefixes: config.SERVED_PREFIXES,
      deniedPrefixes: config.DENIED_PREFIXES,
      blockedNumbers: config.BLOCKED_NUMBERS,
      smsNumberTypes: config.SMS_NUMBER_TYPES,
      voiceNumberTypes: config.VOICE_NUMBER_TYPES,
      validation: config.PHONE_VALIDATION,
    }),
    testNumbers: new TestNumbers(config.TEST_NUMBERS),
    templates,
    jobs: new SendJobPublisher(amqp, config.JOB_ENCRYPTION_KEYS),
    events,
    logger,
    tombstoneSeconds: config.TOMBSTONE_SECONDS,
  });
  const checker = new CodeChecker(guard, hasher, events, async (session) => {
    const delivery = await deliveries.findOne({ _id: session.jobId }, { sentAt: 1 }).lean().exec();
    return delivery?.sentAt;
  });

  let accepting = true;
  const authenticator = new Authenticator(
    new ApiKeyRegistry(config.API_KEYS),
    config.OIDC_ISSUER
      ? new JwtVerifier({
          issuer: config.OIDC_ISSUER,
          audience: config.OIDC_AUDIENCE,
          jwksUrl: config.OIDC_JWKS_URL,
        })
      : undefined,
  );
  const app = createApp({
    authenticator,
    limits,
    policies,
    templates,
    issuer,
    checker,
    sessions,
    deliveries,
    idempotency,
    registry,
    logger,
    ops: {
      registry,
      isAccepting: () => accepting,
      checks: { mongodb: () => pingMongo(mongo), rabbitmq: () => Promise.resolve(amqp.connected) },
    },
    settings: {
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      messageMaxLength: config.MESSAGE_MAX_LENGTH,
      trustProxyHops: config.TRUST_PROXY_HOPS,
    },
  });

  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(config.PORT, config.HOST, () => {
      resolve(listening);
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
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
    { name: 'stop expiry sweeper', run: () => stopSweeper?.() },
    { name: 'close RabbitMQ', run: () => amqp.close() },
    { name: 'close MongoDB', run: () => mongo.close() },
    { name: 'flush telemetry', run: shutdownTracing },
  ]);
  return { url, server, mongo, amqp, guard, capabilities, policies, templates, shutdown };
}
