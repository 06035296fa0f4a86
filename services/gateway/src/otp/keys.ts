import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  type Cipheriv,
  type Decipheriv,
} from 'node:crypto';
import type { CodeRef } from './session-store.js';

/** What each key derived from CODE_HASH_SECRET is for; a label per use keeps the keys independent. */
const LABELS = {
  codeHash: 'otpflow code hash v1',
  numberKey: 'otpflow number key v1',
  tenantKey: 'otpflow tenant key v1',
  authenticationId: 'otpflow authentication id v1',
} as const;

export type KeyUse = keyof typeof LABELS;

/** A 32-byte key for one use, derived from the deployment's secret with HKDF-SHA256. */
export function deriveKey(secret: string, use: KeyUse): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'otpflow', LABELS[use], 32));
}

/**
 * One AES-256 key used block by block (ECB on single 16-byte blocks: a keyed pseudorandom
 * permutation). ECB holds no state between blocks, so one long-lived cipher serves every call: an
 * order of magnitude cheaper than a cipher object per call.
 */
class BlockCipher {
  private readonly cipher: Cipheriv;
  private readonly decipher: Decipheriv;

  constructor(key: Buffer) {
    this.cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
    this.decipher = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  }

  encrypt(block: Buffer): Buffer {
    return this.cipher.update(block);
  }

  decrypt(block: Buffer): Buffer {
    return this.decipher.update(block);
  }
}

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
    writeNumber(block, BigInt(e164.slice(1)));
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

/** What an authenticationId names: the number (hence its document) and the code within it. */
export interface CodeIdentity {
  e164: string;
  /** The code's field name in its tenant's `codes`. */
  codeId: string;
  /** The code compares without regard to case: a presented code is read upper-cased. */
  caseless: boolean;
}

const VERSION = 0x01;
const CASELESS = 0x10;
const CHECK = 0xa5;
const MIN_NUMBER = 10n ** 4n;
const MAX_NUMBER = 10n ** 15n;
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * authenticationIds: one AES-256 block of [version and flags, check byte, the number's digits in 7
 * bytes, 7 random bytes naming the code], written like a UUID. Decrypting one leads to its document
 * without a lookup, and says how to read a presented code; without the key it is indistinguishable
 * from random, and two tenants sending to one number get unrelated ids. A made-up id fails the version,
 * check byte and number range (all but one in about 300,000) before the database is asked.
 */
export class AuthenticationIds {
  private readonly cipher: BlockCipher;

  constructor(secret: string) {
    this.cipher = new BlockCipher(deriveKey(secret, 'authenticationId'));
  }

  /** A new id for a code to this (canonical) number. */
  issue(e164: string, caseless = false): { authenticationId: string; codeId: string } {
    const block = Buffer.alloc(16);
    block[0] = VERSION | (caseless ? CASELESS : 0);
    block[1] = CHECK;
    writeNumber(block, BigInt(e164.slice(1)));
    randomBytes(7).copy(block, 9);
    const sealed = this.cipher.encrypt(block).toString('hex');
    return { authenticationId: uuidShaped(sealed), codeId: codeIdOf(block) };
  }

  /** What an id names, or undefined for anything this deployment did not issue (or cannot read). */
  read(authenticationId: string): CodeIdentity | undefined {
    const lower = authenticationId.toLowerCase();
    if (!ID_PATTERN.test(lower)) return undefined;
    const block = this.cipher.decrypt(Buffer.from(lower.replaceAll('-', ''), 'hex'));
    const head = block[0] ?? 0;
    if ((head & 0x0f) !== VERSION || (head & 0xe0) !== 0 || block[1] !== CHECK) return undefined;
    const digits = readNumber(block);
    if (digits < MIN_NUMBER || digits >= MAX_NUMBER) return undefined;
    return { e164: `+${digits.toString()}`, codeId: codeIdOf(block), caseless: (head & CASELESS) !== 0 };
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

/** The digits of an E.164 number (at most 15: 50 bits) in bytes 2–8. */
function writeNumber(block: Buffer, digits: bigint): void {
  for (let index = 8; index >= 2; index -= 1) {
    block[index] = Number(digits & 0xffn);
    digits >>= 8n;
  }
}

function readNumber(block: Buffer): bigint {
  let digits = 0n;
  for (let index = 2; index <= 8; index += 1) digits = (digits << 8n) | BigInt(block[index] ?? 0);
  return digits;
}

/** `c` + 14 hex digits: a field name that never reads as a number. */
function codeIdOf(block: Buffer): string {
  return `c${block.subarray(9, 16).toString('hex')}`;
}

function uuidShaped(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
