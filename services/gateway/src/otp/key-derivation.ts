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

/** The digits of an E.164 number (at most 15: 50 bits) in bytes 2–8. */
export function writeNumber(block: Buffer, digits: bigint): void {
  for (let index = 8; index >= 2; index -= 1) {
    block[index] = Number(digits & 0xffn);
    digits >>= 8n;
  }
}

/** The digits `writeNumber` wrote. */
export function readNumber(block: Buffer): bigint {
  let digits = 0n;
  for (let index = 2; index <= 8; index += 1) digits = (digits << 8n) | BigInt(block[index] ?? 0);
  return digits;
}
