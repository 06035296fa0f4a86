import { createHmac, createSecretKey, randomInt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { deriveKey } from './key-derivation.js';

/** Which kinds of characters a code may use (the Octopush-style allow_* flags of seed 003). */
export interface AlphabetSpec {
  digits: boolean;
  upper: boolean;
  lower: boolean;
  special: boolean;
}

export const DIGITS_ONLY: AlphabetSpec = { digits: true, upper: false, lower: false, special: false };

/**
 * Characters that read alike (0/O, 1/l/I) are left out as soon as letters are allowed, so a code read
 * off a small screen or heard on a call cannot be typed wrong. Special characters are all in the GSM-7
 * basic set, so they never turn an SMS into UCS-2.
 */
const CHARACTER_SETS = {
  digits: '0123456789',
  digitsAmongLetters: '23456789',
  upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
  lower: 'abcdefghijkmnopqrstuvwxyz',
  special: '!#$%&*+-=?@',
} as const;

export function alphabetOf(spec: AlphabetSpec): string {
  const letters = spec.upper || spec.lower;
  return [
    spec.digits ? (letters ? CHARACTER_SETS.digitsAmongLetters : CHARACTER_SETS.digits) : '',
    spec.upper ? CHARACTER_SETS.upper : '',
    spec.lower ? CHARACTER_SETS.lower : '',
    spec.special ? CHARACTER_SETS.special : '',
  ].join('');
}

/**
 * Codes that use upper-case letters but no lower-case ones are compared without regard to case, so a
 * user typing "ajy3" for "AJY3" is not charged an attempt for it.
 */
export function normalizeCode(code: string, spec: AlphabetSpec): string {
  return isCaseless(spec) ? code.toUpperCase() : code;
}

/** A code from the CSPRNG: each character drawn uniformly (randomInt rejects biased samples). */
export function generateCode(length: number, alphabet: string = CHARACTER_SETS.digits): string {
  let code = '';
  for (let index = 0; index < length; index += 1) code += alphabet.charAt(randomInt(alphabet.length));
  return code;
}

/**
 * Codes are stored only as an HMAC keyed with a key derived from CODE_HASH_SECRET and bound to their
 * authenticationId, so a leaked database yields neither the codes nor a table that could be
 * brute-forced offline without the secret, and a hash cannot be replayed on another code. A code that
 * compares without regard to case is hashed upper-cased; its id says so (keys.ts), so a presented code
 * is hashed the same way before anything is read.
 */
export class CodeHasher {
  /**
   * A KeyObject, made once: createHmac given the raw bytes imports them into a new key on every call,
   * which made each HMAC six times slower (13 µs against 2 µs on Node 24).
   */
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(deriveKey(secret, 'codeHash'));
  }

  hash(authenticationId: string, code: string, caseless = false): string {
    return createHmac('sha256', this.key)
      .update(`code:${authenticationId}:${caseless ? code.toUpperCase() : code}`)
      .digest('hex');
  }

  /** Constant-time comparison of a presented code with the stored hash. */
  matches(authenticationId: string, code: string, storedHash: string, caseless = false): boolean {
    return matchesHash(this.hash(authenticationId, code, caseless), storedHash);
  }
}

/** Constant-time comparison of two hashes (a malformed one matches nothing). */
export function matchesHash(presentedHash: string, storedHash: string): boolean {
  const presented = Buffer.from(presentedHash, 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Codes of upper-case letters and no lower-case ones compare without regard to case. */
export function isCaseless(spec: AlphabetSpec): boolean {
  return spec.upper && !spec.lower;
}
