import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const DIGITS = '0123456789';

/** A code from the CSPRNG: each character drawn uniformly (randomInt rejects biased samples). */
export function generateCode(length: number, alphabet: string = DIGITS): string {
  let code = '';
  for (let index = 0; index < length; index += 1) code += alphabet.charAt(randomInt(alphabet.length));
  return code;
}

/**
 * Codes are stored only as an HMAC keyed with CODE_HASH_SECRET and bound to their session id, so a
 * leaked database yields neither the codes nor a table that could be brute-forced offline without the
 * secret, and a hash cannot be replayed on another session.
 */
export class CodeHasher {
  private readonly secret: Buffer;

  constructor(secret: string) {
    this.secret = Buffer.from(secret, 'utf8');
  }

  hash(authenticationId: string, code: string): string {
    return createHmac('sha256', this.secret).update(`code:${authenticationId}:${code}`).digest('hex');
  }

  /** Constant-time comparison of a presented code with the stored hash. */
  matches(authenticationId: string, code: string, storedHash: string): boolean {
    const presented = Buffer.from(this.hash(authenticationId, code), 'hex');
    const stored = Buffer.from(storedHash, 'hex');
    return presented.length === stored.length && timingSafeEqual(presented, stored);
  }

  /** A keyed digest of a phone number, for limit keys that must not hold the number itself. */
  phoneKey(clientId: string, phoneNumber: string): string {
    return createHmac('sha256', this.secret).update(`phone:${clientId}:${phoneNumber}`).digest('base64url');
  }
}
