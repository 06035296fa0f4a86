import type { Db } from 'mongodb';

/**
 * What the store behind MONGODB_URL can do. Real MongoDB does everything; FerretDB v1 (the
 * MongoDB-compatible server used where MongoDB is not installed) lacks TTL indexes and, critically,
 * does not apply conditional updates atomically: concurrent `updateOne({n: {$gt: 0}}, {$inc: {n: -1}})`
 * calls all "succeed". Unique-key inserts are atomic on both, so code that must be race-free under
 * concurrency picks its strategy from here.
 */
export interface StoreCapabilities {
  kind: 'mongodb' | 'ferretdb';
  version: string;
  atomicConditionalUpdates: boolean;
  ttlIndexes: boolean;
  /** findAndModify takes a projection (FerretDB v1 refuses one: the whole document comes back). */
  findAndModifyProjection: boolean;
}

export async function detectStoreCapabilities(db: Db): Promise<StoreCapabilities> {
  const info = await db.admin().command({ buildInfo: 1 });
  if (typeof info.ferretdbVersion === 'string') {
    return {
      kind: 'ferretdb',
      version: info.ferretdbVersion,
      atomicConditionalUpdates: false,
      ttlIndexes: false,
      findAndModifyProjection: false,
    };
  }
  return {
    kind: 'mongodb',
    version: String(info.version),
    atomicConditionalUpdates: true,
    ttlIndexes: true,
    findAndModifyProjection: true,
  };
}
