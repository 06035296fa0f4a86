import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { deriveKey } from './keys.js';

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

/** Both readings of a presented code: as typed, and as a code compared without regard to case reads it. */
export interface PresentedCode {
  exact: string;
  caseless: string;
}

/**
 * Codes are stored only as an HMAC keyed with a key derived from CODE_HASH_SECRET and bound to their
 * authenticationId, so a leaked database yields neither the codes nor a table that could be
 * brute-forced offline without the secret, and a hash cannot be replayed on another code. Codes that
 * compare without regard to case are hashed upper-cased, under their own label, so a presented code's
 * two readings can be checked before the stored code's alphabet is known (one matches at most).
 */
export class CodeHasher {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = deriveKey(secret, 'codeHash');
  }

  /** The stored hash of a code of this alphabet. */
  hash(authenticationId: string, code: string, alphabet: AlphabetSpec = DIGITS_ONLY): string {
    const caseless = isCaseless(alphabet);
    return this.digest(authenticationId, caseless, normalizeCode(code, alphabet));
  }

  presented(authenticationId: string, code: string): PresentedCode {
    return {
      exact: this.digest(authenticationId, false, code),
      caseless: this.digest(authenticationId, true, code.toUpperCase()),
    };
  }

  /** Constant-time comparison of a presented code with the stored hash. */
  matches(authenticationId: string, code: string, storedHash: string): boolean {
    return matchesPresented(this.presented(authenticationId, code), storedHash);
  }

  private digest(authenticationId: string, caseless: boolean, code: string): string {
    return createHmac('sha256', this.key)
      .update(`code:${authenticationId}:${caseless ? 'i' : 's'}:${code}`)
      .digest('hex');
  }
}

/** Either reading against the stored hash, each in constant time. */
export function matchesPresented(presented: PresentedCode, storedHash: string): boolean {
  const stored = Buffer.from(storedHash, 'hex');
  const equal = (candidate: string) => {
    const bytes = Buffer.from(candidate, 'hex');
    return bytes.length === stored.length && timingSafeEqual(bytes, stored);
  };
  // Both comparisons run, whichever matches.
  const exact = equal(presented.exact);
  const caseless = equal(presented.caseless);
  return exact || caseless;
}

function isCaseless(spec: AlphabetSpec): boolean {
  return spec.upper && !spec.lower;
}
