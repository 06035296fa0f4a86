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

/**
 * Opens a service's database: connects, learns what the store can do, creates the indexes and the
 * expiry of its collections (TTL indexes, or a sweeper where the store has none).
 */
export async function openStore(
  settings: MongoSettings,
  logger: Logger,
  collections: (connection: Connection) => {
    models: readonly Pick<Model<unknown>, 'createIndexes'>[];
    expiring: readonly ExpiringCollection[];
  },
  sweepIntervalMs: number,
): Promise<Store> {
  const connection = await connectMongo(settings, logger);
  if (!connection.db) throw new Error('the MongoDB connection is not open');
  const capabilities = await detectStoreCapabilities(connection.db);
  const { models, expiring } = collections(connection);
  await ensureIndexes(models, expiring, capabilities);
  const stopSweeper = capabilities.ttlIndexes
    ? undefined
    : startExpirySweeper(expiring, sweepIntervalMs, logger);
  logger.info({ store: capabilities.kind, version: capabilities.version }, 'database ready');
  return {
    connection,
    capabilities,
    close: async () => {
      stopSweeper?.();
      await connection.close();
    },
  };
}
