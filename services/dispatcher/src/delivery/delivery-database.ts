import {
  claimModel,
  deliveryModel,
  deliveryReceiptKeyModel,
  ensureReadModelIndexes,
  mongoSettingsFromEnv,
  openStore,
  pingMongo,
  readModelsExpiry,
  type StoreCapabilities,
} from '@otpflow/mongo';
import type { Db } from 'mongodb';
import type { Logger } from '@otpflow/telemetry';
import type { Connection } from 'mongoose';
import type { DispatcherConfig } from '../config.js';
import { MongoDeliveryStore } from './mongo-delivery.store.js';

export interface DeliveryDatabase {
  store: MongoDeliveryStore;
  connection: Connection;
  /** The driver's handle, for the read models' projector (which uses no mongoose model). */
  db: Db;
  capabilities: StoreCapabilities;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens the dispatcher's collections (deliveries, claims, and the read models its projector keeps)
 * with their indexes and expiry.
 */
export async function openDeliveryDatabase(
  config: DispatcherConfig,
  logger: Logger,
): Promise<DeliveryDatabase> {
  const database = await openStore(
    mongoSettingsFromEnv(config),
    logger,
    (connection) => {
      const deliveries = deliveryModel(connection);
      const receiptKeys = deliveryReceiptKeyModel(connection);
      const claims = claimModel(connection);
      return {
        models: [deliveries, receiptKeys, claims],
        expiring: [
          { collection: deliveries.collection, field: 'purgeAt' },
          { collection: receiptKeys.collection, field: 'purgeAt' },
          { collection: claims.collection, field: 'purgeAt' },
          ...readModelsExpiry(connection.getClient().db(connection.name)),
        ],
      };
    },
    config.EXPIRY_SWEEP_INTERVAL_MS,
  );
  const { connection } = database;
  const db = connection.getClient().db(connection.name);
  await ensureReadModelIndexes(db);
  return {
    // The models were registered on the connection above; these calls return them.
    store: new MongoDeliveryStore(
      {
        deliveries: deliveryModel(connection),
        receiptKeys: deliveryReceiptKeyModel(connection),
        claims: claimModel(connection),
      },
      {
        leaseMs: config.SEND_LEASE_MS,
        tombstoneSeconds: config.TOMBSTONE_SECONDS,
        atomicConditionalUpdates: database.capabilities.atomicConditionalUpdates,
      },
    ),
    connection,
    db,
    capabilities: database.capabilities,
    ping: () => pingMongo(connection),
    close: () => database.close(),
  };
}
