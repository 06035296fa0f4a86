import { createHmac } from 'node:crypto';
import { AuthenticationIds } from './authentication-ids.js';
import { BlockCipher, deriveKey, digitsOf, writeNumber } from './key-derivation.js';
import type { CodeRef } from './session-store.js';

/** Tenant keys kept per gateway: tenants are few, and each request needs its tenant's. */
const TENANT_KEY_CACHE = 10_000;

/**
 * The keys of a number's state (docs/data-model.md): the document of a number is named by a keyed
 * permutation of its canonical E.164 digits (distinct numbers never share a document), and a tenant's
 * part of it by a keyed hash of the client id, so the database holds neither numbers nor a way to tell
 * which tenants share one.
 */
export class StateKeys {
  private readonly numbers: BlockCipher;
  private readonly tenantSecret: Buffer;
  private readonly tenants = new Map<string, string>();

  constructor(secret: string) {
    this.numbers = new BlockCipher(deriveKey(secret, 'numberKey'));
    this.tenantSecret = deriveKey(secret, 'tenantKey');
  }

  /** 128 bits, base64url: the `_id` of the number's document. */
  numberKey(e164: string): string {
    const block = Buffer.alloc(16);
    writeNumber(block, digitsOf(e164));
    return this.numbers.encrypt(block).toString('base64url');
  }

  /** 96 bits, base64url: a field name (no `.` or `$`). */
  tenantKey(clientId: string): string {
    let key = this.tenants.get(clientId);
    if (key === undefined) {
      if (this.tenants.size >= TENANT_KEY_CACHE) this.tenants.clear();
      key = createHmac('sha256', this.tenantSecret)
        .update(clientId)
        .digest()
        .subarray(0, 12)
        .toString('base64url');
      this.tenants.set(clientId, key);
    }
    return key;
  }
}

/**
 * Where codes live: a new code's place for a number and tenant, and the place an authenticationId
 * leads to for the tenant asking (another tenant's id leads to a part where the code is not).
 */
export class CodeAddresses {
  private readonly keys: StateKeys;
  private readonly ids: AuthenticationIds;

  constructor(secret: string) {
    this.keys = new StateKeys(secret);
    this.ids = new AuthenticationIds(secret);
  }

  /** A new code's place; `caseless` for codes compared without regard to case. */
  fresh(e164: string, clientId: string, caseless = false): CodeRef {
    const { authenticationId, codeId } = this.ids.issue(e164, caseless);
    return { authenticationId, codeId, e164, caseless, ...this.keysOf(e164, clientId) };
  }

  resolve(authenticationId: string, clientId: string): CodeRef | undefined {
    const identity = this.ids.read(authenticationId);
    if (!identity) return undefined;
    return {
      authenticationId: authenticationId.toLowerCase(),
      codeId: identity.codeId,
      e164: identity.e164,
      caseless: identity.caseless,
      ...this.keysOf(identity.e164, clientId),
    };
  }

  /** The document key of a number (tests and tools that look a number up). */
  numberKey(e164: string): string {
    return this.keys.numberKey(e164);
  }

  private keysOf(e164: string, clientId: string): Pick<CodeRef, 'numberKey' | 'tenantKey'> {
    return { numberKey: this.keys.numberKey(e164), tenantKey: this.keys.tenantKey(clientId) };
  }
}
