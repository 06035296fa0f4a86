import {
  countStoreCommands,
  deliveryModel,
  mongoSettingsFromEnv,
  numbersCollection,
  numbersExpiry,
  openStore,
  WebhookEndpoints,
} from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from './config.js';
import { FraudStore, fraudCommandCounter, fraudFailureCounter } from '@otpflow/fraud';
import { IdempotencyStore } from './http/idempotency.js';
import { ReadModelReader } from './listing/read-models.reader.js';
import { Limits } from './otp/limits.js';
import { defaultPolicy } from './policies/client-policy.js';
import { policyDefaults } from './policies/policy-defaults.js';
import { PolicyStore } from './policies/policy.store.js';
import { TemplateStore } from './templates/template.store.js';

export type GatewayDatabase = Awaited<ReturnType<typeof openGatewayDatabase>>;

/**
 * Opens the gateway's collections (numbers, deliveries read for status, limits, idempotency keys,
 * templates, policies, webhook endpoints, fraud counts and rules, the read models the dispatcher keeps)
 * with their indexes and expiry, and the stores built on them.
 */
export async function openGatewayDatabase(config: GatewayConfig, logger: Logger, registry: Registry) {
  const database = await openStore(
    mongoSettingsFromEnv(config),
    logger,
    (connection) => {
      // Counted from the first command on, so the figures include the start-up's index builds.
      if (config.MONGODB_COMMAND_METRICS) countStoreCommands(connection.getClient(), registry);
      const db = connection.getClient().db(connection.name);
      const limits = new Limits(db, {
        requestRate: { points: config.CLIENT_RATE_LIMIT, windowSeconds: config.CLIENT_RATE_WINDOW_SECONDS },
        quota: { points: config.CLIENT_QUOTA, windowSeconds: config.CLIENT_QUOTA_WINDOW_SECONDS },
        leaseSize: config.LIMIT_LEASE_SIZE,
      });
      const idempotency = new IdempotencyStore(db, config.IDEMPOTENCY_TTL_SECONDS, {
        leaseMs: config.IDEMPOTENCY_LEASE_SECONDS * 1000,
      });
      const fraud = new FraudStore(db, fraudCommandCounter(registry), fraudFailureCounter(registry));
      return {
        // The gateway's collections are the driver's: no mongoose model of its own to index.
        models: [],
        expiring: [
          numbersExpiry(db),
          ...limits.expiringCollections(),
          idempotency.expiringCollection(),
          ...fraud.expiringCollections(),
        ],
        db,
        numbers: numbersCollection(db),
        deliveries: deliveryModel(connection),
        limits,
        idempotency,
        fraud,
      };
    },
    config.EXPIRY_SWEEP_INTERVAL_MS,
  );
  const { db, numbers, deliveries, limits, idempotency, fraud } = database.collections;
  const templates = new TemplateStore(db);
  const webhookEndpoints = new WebhookEndpoints(db);
  await webhookEndpoints.ensureIndexes();
  await limits.ensureKeyIndexes();
  await templates.ensureIndexes();
  await fraud.ensureIndexes();
  const policies = new PolicyStore(db, defaultPolicy(policyDefaults(config)), config.POLICY_CACHE_SECONDS);
  return {
    store: database,
    numbers,
    deliveries,
    limits,
    idempotency,
    templates,
    policies,
    webhookEndpoints,
    fraud,
    readModels: new ReadModelReader(db),
  };
}
