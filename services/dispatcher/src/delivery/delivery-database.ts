import {
  claimModel,
  deliveryModel,
  deliveryReceiptKeyModel,
  mongoSettingsFromEnv,
  openStore,
  pingMongo,
} from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { Connection } from 'mongoose';
import type { DispatcherConfig } from '../config.js';
import { MongoDeliveryStore } from './mongo-delivery.store.js';

export interface DeliveryDatabase {
  store: MongoDeliveryStore;
  connection: Connection;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Opens the dispatcher's collections (deliveries, claims) with their indexes and expiry. */
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
        ],
      };
    },
    config.EXPIRY_SWEEP_INTERVAL_MS,
  );
  const { connection } = database;
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
    ping: () => pingMongo(connection),
    close: () => database.close(),
  };
}
