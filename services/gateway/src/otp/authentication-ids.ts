import { RandomBytesPool } from '@otpflow/contracts';
import { BlockCipher, deriveKey, digitsOf, readNumber, writeNumber } from './key-derivation.js';

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
const MIN_NUMBER = 10 ** 4;
const MAX_NUMBER = 10 ** 15;
/** Either case: an id is read without regard to it (the hex digits name the same bytes). */
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DASH = 0x2d;
/** The value of each hex digit by its character code (both cases); the pattern admits no other. */
const HEX_VALUES = new Uint8Array(128);
for (let digit = 0; digit < 16; digit += 1) {
  const symbol = digit.toString(16);
  HEX_VALUES[symbol.charCodeAt(0)] = digit;
  HEX_VALUES[symbol.toUpperCase().charCodeAt(0)] = digit;
}
/** The random bytes naming a code. */
const CODE_BYTES = 7;
/** Codes named per draw from the CSPRNG. */
const CODES_PER_DRAW = 512;

/**
 * authenticationIds: one AES-256 block of [version and flags, check byte, the number's digits in 7
 * bytes, 7 random bytes naming the code], written like a UUID. Decrypting one leads to its document
 * without a lookup, and says how to read a presented code; without the key it is indistinguishable
 * from random, and two tenants sending to one number get unrelated ids. A made-up id fails the version,
 * check byte and number range (all but one in about 300,000) before the database is asked.
 */
export class AuthenticationIds {
  private readonly cipher: BlockCipher;
  private readonly random = new RandomBytesPool(CODE_BYTES * CODES_PER_DRAW);
  /** The sealed block of the id being read: decrypting copies it out at once, so one serves every read. */
  private readonly sealed = Buffer.alloc(16);

  constructor(secret: string) {
    this.cipher = new BlockCipher(deriveKey(secret, 'authenticationId'));
  }

  /** A new id for a code to this (canonical) number. */
  issue(e164: string, caseless = false): { authenticationId: string; codeId: string } {
    const block = Buffer.alloc(16);
    block[0] = VERSION | (caseless ? CASELESS : 0);
    block[1] = CHECK;
    writeNumber(block, digitsOf(e164));
    this.random.fill(block, 9, CODE_BYTES);
    const sealed = this.cipher.encrypt(block).toString('hex');
    return { authenticationId: uuidShaped(sealed), codeId: codeIdOf(block) };
  }

  /** What an id names, or undefined for anything this deployment did not issue (or cannot read). */
  read(authenticationId: string): CodeIdentity | undefined {
    if (!ID_PATTERN.test(authenticationId)) return undefined;
    const block = this.cipher.decrypt(bytesOf(authenticationId, this.sealed));
    const head = block[0] ?? 0;
    if ((head & 0x0f) !== VERSION || (head & 0xe0) !== 0 || block[1] !== CHECK) return undefined;
    const digits = readNumber(block);
    if (digits < MIN_NUMBER || digits >= MAX_NUMBER) return undefined;
    return { e164: `+${digits.toString()}`, codeId: codeIdOf(block), caseless: (head & CASELESS) !== 0 };
  }
}

/**
 * The 16 bytes an id (that matched ID_PATTERN) spells, into `block`: its groups have even lengths, so
 * no byte's two digits straddle a dash. What Buffer.from(hex) does, without the copy of the id with
 * the dashes removed.
 */
function bytesOf(id: string, block: Buffer): Buffer {
  let byte = 0;
  for (let index = 0; index < id.length; index += 2) {
    if (id.charCodeAt(index) === DASH) index += 1;
    block[byte] =
      ((HEX_VALUES[id.charCodeAt(index)] ?? 0) << 4) | (HEX_VALUES[id.charCodeAt(index + 1)] ?? 0);
    byte += 1;
  }
  return block;
}

/** `c` + 14 hex digits: a field name that never reads as a number. */
function codeIdOf(block: Buffer): string {
  return `c${block.toString('hex', 9, 16)}`;
}

function uuidShaped(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
