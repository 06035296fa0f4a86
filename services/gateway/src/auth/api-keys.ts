import { hash } from 'node:crypto';
import { DEFAULT_API_KEY_SCOPES } from './scopes.js';
import type { Principal } from './principal.js';

// One-shot: a Hash object per request (createHash) costs several times the digest of a short key.
const sha256 = (value: string) => hash('sha256', value, 'hex');

/**
 * Static API keys (API_KEYS: `key:clientId[:scope+scope]`). Only SHA-256 digests are kept in memory and
 * a presented key is looked up by its digest, so no comparison ever runs over the secret itself and a
 * heap dump holds no usable key.
 */
export class ApiKeyRegistry {
  private readonly byDigest = new Map<string, Principal>();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      // Scopes may themselves contain ':' (CAMARA's does), so everything after the client id is scopes.
      const [key = '', clientId = '', ...scopeParts] = entry.split(':');
      const scopes = scopeParts.join(':');
      this.byDigest.set(sha256(key), {
        clientId,
        scopes: new Set(scopes ? scopes.split('+') : DEFAULT_API_KEY_SCOPES),
        method: 'api_key',
      });
    }
  }

  get size(): number {
    return this.byDigest.size;
  }

  lookup(presentedKey: string): Principal | undefined {
    return this.byDigest.get(sha256(presentedKey));
  }
}
