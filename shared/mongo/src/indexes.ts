import type { Logger } from '@otpflow/telemetry';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import type { StoreCapabilities } from './capabilities.js';

/** A collection whose documents carry a date field after which they are to be removed. */
export interface ExpiringCollection {
  collection: Pick<Collection, 'createIndex' | 'deleteMany' | 'collectionName'>;
  field: string;
  /**
   * For the sweeper: how long past its expiry a document is kept. Rate-limit counters are reused in
   * place window after window; deleting a busy one makes the next burst of requests race to recreate
   * it, and FerretDB (the only store that needs the sweeper) has been seen to hang on such a storm of
   * concurrent upserts. A grace period keeps busy counters alive.
   */
  sweepGraceMs?: number;
}

/**
 * Creates the schema indexes of the models, plus the expiry of the expiring collections: a TTL index
 * where the store has them (MongoDB), a plain index otherwise (FerretDB), in which case
 * `startExpirySweeper` removes what has expired. Safe to call from every replica at every start.
 */
export async function ensureIndexes(
  models: readonly Pick<Model<unknown>, 'createIndexes'>[],
  expiring: readonly ExpiringCollection[],
  capabilities: StoreCapabilities,
): Promise<void> {
  for (const model of models) await model.createIndexes();
  for (const { collection, field } of expiring) {
    await collection.createIndex(
      { [field]: 1 },
      capabilities.ttlIndexes ? { name: `${field}_ttl`, expireAfterSeconds: 0 } : { name: `${field}_expiry` },
      undefined,
    );
  }
}

/** Deletes expired documents on a timer, for stores without TTL indexes. Returns a stop function. */
export function startExpirySweeper(
  expiring: readonly ExpiringCollection[],
  intervalMs: number,
  logger: Logger,
): () => void {
  const sweep = async () => {
    for (const { collection, field, sweepGraceMs = 0 } of expiring) {
      try {
        const { deletedCount } = await collection.deleteMany({
          [field]: { $lte: new Date(Date.now() - sweepGraceMs) },
        });
        if (deletedCount > 0)
          logger.debug({ collection: collection.collectionName, deletedCount }, 'removed expired documents');
      } catch (error) {
        logger.warn(
          { err: error, collection: collection.collectionName },
          'expiry sweep failed; retrying next interval',
        );
      }
    }
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
