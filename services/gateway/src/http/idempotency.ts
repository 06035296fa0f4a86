import { createHash } from 'node:crypto';
import { ApiError } from '@otpflow/errors';
import { isDuplicateKeyError, type ExpiringCollection } from '@otpflow/mongo';
import type { Collection, Db } from 'mongodb';
import { z } from 'zod';

interface IdempotencyDocument {
  /** `<clientId, percent-encoded>:<key>` (see documentId). */
  _id: string;
  fingerprint: string;
  state: 'running' | 'done';
  response?: { status: number; body: unknown };
  createdAt: Date;
  purgeAt: Date;
}

export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 visible ASCII characters');

/**
 * `Idempotency-Key` for requests that create things: the first request with a key runs and its
 * success is stored; a retry with the same key and the same request gets the stored answer (and sends
 * no second code); the same key with another request, or while the first still runs, is a 409. A
 * failed request frees its key, so the client may retry it. Keys live for `ttlSeconds`.
 */
export class IdempotencyStore {
  private readonly collection: Collection<IdempotencyDocument>;

  constructor(
    db: Db,
    private readonly ttlSeconds: number,
  ) {
    this.collection = db.collection<IdempotencyDocument>('idempotency_keys');
  }

  expiringCollection(): ExpiringCollection {
    return { collection: this.collection as unknown as ExpiringCollection['collection'], field: 'purgeAt' };
  }

  async run(
    scope: { clientId: string; key: string; operation: string; request: unknown },
    produce: () => Promise<{ status: number; body: unknown }>,
  ): Promise<{ status: number; body: unknown; replayed: boolean }> {
    const _id = documentId(scope.clientId, scope.key);
    const fingerprint = createHash('sha256')
      .update(scope.operation)
      .update(JSON.stringify(scope.request))
      .digest('hex');
    const now = new Date();
    try {
      await this.collection.insertOne({
        _id,
        fingerprint,
        state: 'running',
        createdAt: now,
        purgeAt: new Date(now.getTime() + this.ttlSeconds * 1000),
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.collection.findOne({ _id });
      if (existing?.fingerprint === fingerprint && existing.state === 'done' && existing.response) {
        return { ...existing.response, replayed: true };
      }
      throw new ApiError('IDEMPOTENCY_CONFLICT', { details: { field: 'Idempotency-Key' } });
    }
    try {
      const response = await produce();
      await this.collection.updateOne({ _id }, { $set: { state: 'done', response } });
      return { ...response, replayed: false };
    } catch (error) {
      await this.collection.deleteOne({ _id }).catch(() => undefined);
      throw error;
    }
  }
}

/**
 * One tenant's key can never be another's: the client id is percent-encoded, so it holds no ':' and
 * the first ':' of the id ends it (`oidc:a` with key `b:k` and `oidc:a:b` with key `k` once met at
 * `oidc:a:b:k`). API-key client ids (letters, digits, `._-`) encode to themselves: their keys keep
 * the ids they had.
 */
export function documentId(clientId: string, key: string): string {
  return `${encodeURIComponent(clientId)}:${key}`;
}
