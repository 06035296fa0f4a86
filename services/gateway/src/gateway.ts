import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpClient, amqpClientOptionsFromEnv, EventPublisher } from '@otpflow/amqp';
import { closeServer, createShutdown, type Shutdown } from '@otpflow/lifecycle';
import {
  claimModel,
  deliveryModel,
  mongoSettingsFromEnv,
  openStore,
  pingMongo,
  sessionModel,
  type ClaimModel,
  type DeliveryModel,
  type SessionModel,
  type StoreCapabilities,
} from '@otpflow/mongo';
import type { Express } from 'express';
import type { Db } from 'mongodb';
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
import { CodeResender } from './otp/code-resender.js';
import { defaultPolicy, type PolicyDefaults } from './policies/client-policy.js';
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

/** The gateway's collections and the stores built on them. */
async function openGatewayStore(config: GatewayConfig, logger: Logger) {
  let parts:
    | {
        sessions: SessionModel;
        claims: ClaimModel;
        deliveries: DeliveryModel;
        db: Db;
        limits: Limits;
        idempotency: IdempotencyStore;
      }
    | undefined;
  const store = await openStore(
    mongoSettingsFromEnv(config),
    logger,
    (connection) => {
      const db = connection.getClient().db(connection.name);
      parts = {
        sessions: sessionModel(connection),
        claims: claimModel(connection),
        deliveries: deliveryModel(connection),
        db,
        limits: new Limits(db, {
          requestRate: { points: config.CLIENT_RATE_LIMIT, windowSeconds: config.CLIENT_RATE_WINDOW_SECONDS },
          quota: { points: config.CLIENT_QUOTA, windowSeconds: config.CLIENT_QUOTA_WINDOW_SECONDS },
          leaseSize: config.LIMIT_LEASE_SIZE,
        }),
        idempotency: new IdempotencyStore(db, config.IDEMPOTENCY_TTL_SECONDS),
      };
      return {
        models: [parts.sessions, parts.claims],
        expiring: [
          { collection: parts.sessions.collection, field: 'purgeAt' },
          { collection: parts.claims.collection, field: 'purgeAt' },
          ...parts.limits.expiringCollections(),
          parts.idempotency.expiringCollection(),
        ],
      };
    },
    config.EXPIRY_SWEEP_INTERVAL_MS,
  );
  if (!parts) throw new Error('the store opened without its collections');
  const templates = new TemplateStore(parts.db);
  await parts.limits.ensureKeyIndexes();
  await templates.ensureIndexes();
  const policies = new PolicyStore(
    parts.db,
    defaultPolicy(policyDefaults(config)),
    config.POLICY_CACHE_SECONDS,
  );
  return { store, ...parts, templates, policies };
}

/** Wires the gateway: database, broker, domain, HTTP. Used by main.ts and by the tests. */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  overrides: GatewayOverrides = {},
): Promise<RunningGateway> {
  const registry = createMetricsRegistry('gateway');
  const { store, sessions, claims, deliveries, limits, idempotency, templates, policies } =
    await openGatewayStore(config, logger);
  const guard =
    overrides.attemptGuard?.(sessions, claims) ??
    chooseAttemptGuard(config.ATTEMPT_STRATEGY, store.capabilities, sessions, claims);
  logger.info({ attemptStrategy: guard.strategy }, 'attempts counted by %s', guard.strategy);

  const amqp = await AmqpClient.start(
    amqpClientOptionsFromEnv(config, { name: 'otpflow-gateway', logger, registry }),
  );

  const hasher = new CodeHasher(config.CODE_HASH_SECRET);
  const events = new EventPublisher(amqp, logger, registry);
  const issuing = {
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
  };
  const issuer = new CodeIssuer(issuing);
  const resender = new CodeResender(issuing);
  const checker = new CodeChecker(guard, hasher, events);
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

  let accepting = true;
  const app = createApp({
    authenticator,
    limits,
    policies,
    templates,
    issuer,
    resender,
    checker,
    sessions,
    deliveries,
    idempotency,
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
  });
  const server = await listen(app, config.PORT, config.HOST);
  const { port } = server.address() as AddressInfo;
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
    { name: 'close RabbitMQ', run: () => amqp.close() },
    { name: 'close MongoDB', run: () => store.close() },
    { name: 'flush telemetry', run: shutdownTracing },
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    mongo: store.connection,
    amqp,
    guard,
    capabilities: store.capabilities,
    policies,
    templates,
    shutdown,
  };
}

function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve) => {
    const server = app.listen(port, host, () => {
      resolve(server);
    });
  });
}

/** The deployment-wide defaults of every client policy, from the settings. */
export function policyDefaults(config: GatewayConfig): PolicyDefaults {
  return {
    codeLength: config.CODE_LENGTH,
    validitySeconds: config.CODE_TTL_SECONDS,
    maxAttempts: config.MAX_ATTEMPTS,
    maxSends: config.MAX_SENDS,
    sendWindowSeconds: config.SEND_WINDOW_SECONDS,
  };
}
