import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { JobRejectedError } from './job-rejection.js';
import { RandomBytesPool } from './random-pool.js';

/**
 * AES-256-GCM sealing of a job's secret part. The associated data binds the ciphertext to the rest of
 * the job (see send-job-codec.ts), so no field of it can be changed without the job failing to open.
 * Keys are identified by a key id so they can be rotated: the first key seals, every key opens.
 * Format: `<kid>.<iv>.<ciphertext>.<tag>` (base64url parts).
 */

export interface JobKey {
  id: string;
  /**
   * A KeyObject, made once: handing createCipheriv raw bytes makes Node import them into a new key on
   * every call, which cost more than the encryption itself (about 12 µs a job on Node 24).
   */
  key: KeyObject;
}

const IV_BYTES = 12;

const DEV_KEY_MATERIAL = Buffer.from('otpflow development key, public!');
const DEV_KEY = createSecretKey(DEV_KEY_MATERIAL);

/**
 * The key every service uses when JOB_ENCRYPTION_KEYS is not set, so a development stack works out of
 * the box. It is public, so start-up refuses its material in production, under whatever key id.
 */
export const DEV_JOB_ENCRYPTION_KEYS = `dev:${DEV_KEY_MATERIAL.toString('base64')}`;

/** True when a key list holds the public development key, whatever id it was given. */
export function usesDevelopmentJobKey(keys: readonly JobKey[]): boolean {
  return keys.some((key) => key.key.equals(DEV_KEY));
}

/** Parses `JOB_ENCRYPTION_KEYS`: comma-separated `kid:base64key`, each key 32 bytes. */
export const jobKeysSchema = z.string().transform((raw, ctx) => {
  const keys: JobKey[] = [];
  for (const entry of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (separator < 1 || !/^[a-zA-Z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
      ctx.addIssue({
        code: 'custom',
        message: 'each key must be kid:base64 of 32 bytes (openssl rand -base64 32)',
      });
      return z.NEVER;
    }
    keys.push({ id, key: createSecretKey(key) });
  }
  if (keys.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one key is required' });
    return z.NEVER;
  }
  return keys;
});

/** A random 96-bit IV per seal, from one pool (one CSPRNG call per 256 seals, not per seal). */
const ivs = new RandomBytesPool(IV_BYTES * 256);

export function sealJson(value: unknown, keys: readonly JobKey[], associatedData: string): string {
  const [active] = keys;
  if (!active) throw new Error('no job encryption key configured');
  const iv = ivs.take(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', active.key, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const ciphertext = cipher.update(JSON.stringify(value), 'utf8');
  // GCM is a stream mode: final() adds no bytes, it only computes the tag.
  const rest = cipher.final();
  const sealed = rest.length > 0 ? Buffer.concat([ciphertext, rest]) : ciphertext;
  const encode = (part: Buffer) => part.toString('base64url');
  return `${active.id}.${encode(iv)}.${encode(sealed)}.${encode(cipher.getAuthTag())}`;
}

/**
 * Opens a sealed value. A bad format, an unknown key or any tampering is a JobRejectedError, which the
 * dispatcher dead-letters with its rejection.
 */
export function openJson(sealed: string, keys: readonly JobKey[], associatedData: string): unknown {
  const parts = sealed.split('.');
  if (parts.length !== 4) throw new JobRejectedError('malformed', 'sealed payload has a bad format');
  const [keyId, iv, ciphertext, tag] = parts as [string, string, string, string];
  const key = keys.find((candidate) => candidate.id === keyId);
  if (!key) throw new JobRejectedError('unknown_key', 'sealed payload uses an unknown key', { keyId });
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]);
    return JSON.parse(plaintext.toString('utf8'));
  } catch (cause) {
    throw new JobRejectedError('tampered', 'sealed payload does not authenticate', { keyId }, cause);
  }
}
