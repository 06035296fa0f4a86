import type { Logger } from '@otpflow/telemetry';
import type { Connection, Model } from 'mongoose';
import { detectStoreCapabilities, type StoreCapabilities } from './capabilities.js';
import { connectMongo, type MongoSettings } from './connection.js';
import { ensureIndexes, startExpirySweeper, type ExpiringCollection } from './indexes.js';

export interface Store {
  connection: Connection;
  capabilities: StoreCapabilities;
  /** Stops the expiry sweeper (if one runs) and closes the connection. */
  close(): Promise<void>;
}

/** What a service keeps in its database: the models to index and the collections that expire. */
export interface StoreCollections {
  models: readonly Pick<Model<unknown>, 'createIndexes'>[];
  expiring: readonly ExpiringCollection[];
}

/**
 * Opens a service's database: connects, learns what the store can do, creates the indexes and the
 * expiry of its collections (TTL indexes, or a sweeper where the store has none). What `collections`
 * built on the connection comes back as `collections`, for the service's stores.
 */
export async function openStore<C extends StoreCollections>(
  settings: MongoSettings,
  logger: Logger,
  collections: (connection: Connection) => C,
  sweepIntervalMs: number,
): Promise<Store & { collections: C }> {
  const connection = await connectMongo(settings, logger);
  if (!connection.db) throw new Error('the MongoDB connection is not open');
  const capabilities = await detectStoreCapabilities(connection.db);
  const built = collections(connection);
  await ensureIndexes(built.models, built.expiring, capabilities);
  const stopSweeper = capabilities.ttlIndexes
    ? undefined
    : startExpirySweeper(built.expiring, sweepIntervalMs, logger);
  logger.info({ store: capabilities.kind, version: capabilities.version }, 'database ready');
  return {
    connection,
    capabilities,
    collections: built,
    close: async () => {
      stopSweeper?.();
      await connection.close();
    },
  };
}
