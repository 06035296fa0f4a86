import { createCipheriv, createDecipheriv, hkdfSync, type Cipheriv, type Decipheriv } from 'node:crypto';

/*
 * The keys derived from CODE_HASH_SECRET, and the 16-byte block both the number keys (keys.ts) and
 * the authentication ids (authentication-ids.ts) are made of: a number's digits in bytes 2-8, under
 * one AES-256 key per use.
 */

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
export class BlockCipher {
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

/** 2^48: byte 2 holds what lies above the 48 bits of bytes 3–8. */
const LOW_BYTES_RANGE = 2 ** 48;

/**
 * The digits of an E.164 number (at most 15: under 2^50, so exact in a double) in bytes 2–8, big-endian.
 * Plain numbers, not BigInt: a BigInt operation allocates, and this runs for every request.
 */
export function writeNumber(block: Buffer, digits: number): void {
  block[2] = Math.floor(digits / LOW_BYTES_RANGE);
  block.writeUIntBE(digits % LOW_BYTES_RANGE, 3, 6);
}

/**
 * The digits `writeNumber` wrote. Bytes no number wrote (a made-up id) may read as up to 2^56, beyond
 * exact doubles but far beyond any number's 15 digits, which is all the caller checks them for.
 */
export function readNumber(block: Buffer): number {
  return (block[2] ?? 0) * LOW_BYTES_RANGE + block.readUIntBE(3, 6);
}

/** The digits of a canonical E.164 number (`+` and up to 15 digits), as writeNumber takes them. */
export function digitsOf(e164: string): number {
  return Number(e164.slice(1));
}
