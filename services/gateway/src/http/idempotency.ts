import { createHash, randomUUID } from 'node:crypto';
import { ApiError } from '@otpflow/errors';
import { isDuplicateKeyError, type ExpiringCollection } from '@otpflow/mongo';
import type { Collection, Db } from 'mongodb';
import { z } from 'zod';

interface IdempotencyDocument {
  /** `<clientId, percent-encoded>:<key>` (see documentId). */
  _id: string;
  fingerprint: string;
  /** `takeover`: the marker that makes one retry the new owner of a stale entry (see takeOver). */
  state: 'running' | 'done' | 'takeover';
  /** The request running the key (a running entry); only it may finish or free the entry. */
  owner?: string;
  /** Until when a running entry belongs to its owner; past it, a retry may take the key over. */
  leaseUntil?: Date;
  response?: { status: number; body: unknown };
  createdAt: Date;
  purgeAt: Date;
}

type Produced = { status: number; body: unknown };

export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 visible ASCII characters');

/** Attempts at taking a key: a retry that finds a stale entry frees it, then inserts its own. */
const CLAIM_ATTEMPTS = 3;

/**
 * `Idempotency-Key` for requests that create things: the first request with a key runs and its
 * success is stored; a retry with the same key and the same request gets the stored answer (and sends
 * no second code); the same key with another request, or while the first still runs, is a 409. A
 * failed request frees its key, so the client may retry it. Keys live for `ttlSeconds`.
 *
 * A running entry is held for a lease (`leaseMs`, far longer than any request takes), not for the
 * key's lifetime: when a gateway dies mid-request its entry would otherwise answer 409 until it is
 * purged. Past the lease, one retry takes the entry over: the one that inserts the takeover marker
 * for that stale owner (an insert on a unique `_id` is atomic on MongoDB and on FerretDB alike, where
 * a filtered update or delete is not), and only then replaces the entry. The request that lost its
 * lease (it was stalled, not dead) finishes and frees the entry only if it still owns it, so it can
 * neither overwrite the new owner's answer nor free its key; its own client still gets its answer.
 * At worst, then, one key sent two codes, the second superseding the first: what a client retrying
 * without a key gets.
 */
export class IdempotencyStore {
  private readonly collection: Collection<IdempotencyDocument>;
  private readonly leaseMs: number;
  private readonly now: () => number;

  constructor(
    db: Db,
    private readonly ttlSeconds: number,
    options: { leaseMs: number; now?: () => number },
  ) {
    this.collection = db.collection<IdempotencyDocument>('idempotency_keys');
    this.leaseMs = options.leaseMs;
    this.now = options.now ?? Date.now;
  }

  expiringCollection(): ExpiringCollection {
    return { collection: this.collection as unknown as ExpiringCollection['collection'], field: 'purgeAt' };
  }

  async run(
    scope: { clientId: string; key: string; operation: string; request: unknown },
    produce: () => Promise<Produced>,
  ): Promise<Produced & { replayed: boolean }> {
    const _id = documentId(scope.clientId, scope.key);
    const fingerprint = createHash('sha256')
      .update(scope.operation)
      .update(JSON.stringify(scope.request))
      .digest('hex');
    const claim = await this.claim(_id, fingerprint);
    if (claim.replay) return { ...claim.replay, replayed: true };
    const { owner } = claim;
    try {
      const response = await produce();
      // Only while it is still ours: a request that lost its lease leaves the new owner's entry alone.
      await this.collection.updateOne(
        { _id, owner },
        { $set: { state: 'done', response }, $unset: { owner: '', leaseUntil: '' } },
      );
      return { ...response, replayed: false };
    } catch (error) {
      await this.collection.deleteOne({ _id, owner }).catch(() => undefined);
      throw error;
    }
  }

  /** Takes the key for this request, or finds the answer to replay; 409 when neither can be had. */
  private async claim(
    _id: string,
    fingerprint: string,
  ): Promise<{ owner: string; replay?: undefined } | { replay: Produced }> {
    const owner = randomUUID();
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const now = new Date(this.now());
      try {
        await this.collection.insertOne({
          _id,
          fingerprint,
          state: 'running',
          owner,
          leaseUntil: new Date(now.getTime() + this.leaseMs),
          createdAt: now,
          purgeAt: new Date(now.getTime() + this.ttlSeconds * 1000),
        });
        return { owner };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const existing = await this.collection.findOne({ _id });
      if (!existing) continue; // freed meanwhile: try the insert again
      if (existing.fingerprint !== fingerprint) break;
      if (existing.state === 'done' && existing.response) return { replay: existing.response };
      // An entry written before leases existed has none: it is held for one lease from its creation.
      const leaseUntil = existing.leaseUntil ?? new Date(existing.createdAt.getTime() + this.leaseMs);
      if (leaseUntil > now) break;
      if (await this.takeOver(existing, owner, now)) return { owner };
      // Another retry took it over, or its owner finished after all: look again.
    }
    throw new ApiError('IDEMPOTENCY_CONFLICT', { details: { field: 'Idempotency-Key' } });
  }

  /**
   * Makes this request the owner of a stale entry, if no other retry has: the marker's `_id` names the
   * stale owner (with spaces, which no key holds), so exactly one retry inserts it.
   */
  private async takeOver(stale: IdempotencyDocument, owner: string, now: Date): Promise<boolean> {
    try {
      await this.collection.insertOne({
        _id: `${stale._id} takeover ${stale.owner ?? 'unowned'}`,
        fingerprint: stale.fingerprint,
        state: 'takeover',
        createdAt: now,
        purgeAt: stale.purgeAt,
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    const { matchedCount } = await this.collection.replaceOne(
      { _id: stale._id, state: 'running', owner: stale.owner ?? { $exists: false } },
      {
        fingerprint: stale.fingerprint,
        state: 'running',
        owner,
        leaseUntil: new Date(now.getTime() + this.leaseMs),
        createdAt: stale.createdAt,
        purgeAt: stale.purgeAt,
      },
    );
    return matchedCount === 1;
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
