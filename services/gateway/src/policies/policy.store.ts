import { ApiError } from '@otpflow/errors';
import type { Collection, Db } from 'mongodb';
import { LRUCache } from 'lru-cache';
import { effectivePolicy, type ClientPolicy, type StoredPolicy } from './client-policy.js';

interface PolicyDocument extends StoredPolicy {
  _id: string;
  updatedAt: Date;
}

/**
 * Client policies in MongoDB (`client_policies`), read through a short in-process cache: every
 * send-code needs its client's policy, and a policy change may take up to `cacheSeconds` to reach
 * every gateway replica.
 */
export class PolicyStore {
  private readonly collection: Collection<PolicyDocument>;
  private readonly cache: LRUCache<string, { policy: ClientPolicy; stored: boolean }>;

  constructor(
    db: Db,
    private readonly defaults: ClientPolicy,
    cacheSeconds: number,
  ) {
    this.collection = db.collection<PolicyDocument>('client_policies');
    this.cache = new LRUCache({ max: 10_000, ttl: Math.max(1, cacheSeconds) * 1000 });
  }

  /** The policy that applies to a client: its stored settings over the deployment's defaults. */
  async effective(clientId: string): Promise<{ policy: ClientPolicy; stored: boolean }> {
    const cached = this.cache.get(clientId);
    if (cached) return cached;
    const document = await this.collection.findOne({ _id: clientId });
    const stored = document ? withoutMeta(document) : undefined;
    const result = effectivePolicy(this.defaults, stored);
    // A stored policy that no longer fits (bounds changed) must not lock a client out: use the defaults.
    const entry = { policy: result.success ? result.data : this.defaults, stored: document !== null };
    this.cache.set(clientId, entry);
    return entry;
  }

  /** Replaces a client's stored policy after checking the result is coherent as a whole. */
  async put(clientId: string, stored: StoredPolicy): Promise<ClientPolicy> {
    const result = effectivePolicy(this.defaults, stored);
    if (!result.success) {
      const [issue] = result.error.issues;
      const field = issue?.path.map(String).join('.') ?? '';
      throw new ApiError('INVALID_ARGUMENT', {
        message: `The policy is not valid: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}.`,
        details: { field },
      });
    }
    await this.collection.replaceOne(
      { _id: clientId },
      { ...stored, updatedAt: new Date() },
      { upsert: true },
    );
    this.cache.delete(clientId);
    return result.data;
  }

  async remove(clientId: string): Promise<boolean> {
    const { deletedCount } = await this.collection.deleteOne({ _id: clientId });
    this.cache.delete(clientId);
    return deletedCount === 1;
  }

  async stored(clientId: string): Promise<StoredPolicy | undefined> {
    const document = await this.collection.findOne({ _id: clientId });
    return document ? withoutMeta(document) : undefined;
  }
}

function withoutMeta(document: PolicyDocument): StoredPolicy {
  const { _id: _clientId, updatedAt: _updatedAt, ...stored } = document;
  return stored;
}
