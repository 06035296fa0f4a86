import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { JobKey } from './job-crypto.js';
import { JobRejectedError } from './job-rejection.js';

/**
 * Which attempt of which run a send job message is. The dispatcher keeps it in message headers as the
 * job moves through the retry tiers and the dead-letter replay, signed with a key derived from the job
 * keys, so that nobody with broker access can reset the count or invent a run (each run gets a fresh
 * attempt budget and idempotency key, so a forged one would send the code again). A job without any of
 * these headers is the first attempt of the first run: what the gateway publishes.
 */
export interface JobAttempt {
  /** From 1. */
  attempt: number;
  /** `first`, or `replay-<uuid>` for each replay from the dead-letter queue. */
  run: string;
  /**
   * The workflow step (0-based) this message delivers; absent is 0. Each step has its own attempts
   * and lease, under the run it belongs to. Signed with the rest, so a step cannot be skipped to or
   * repeated by anyone with broker access.
   */
  step?: number;
}

export const FIRST_ATTEMPT: JobAttempt = { attempt: 1, run: 'first' };

export const ATTEMPT_HEADERS = {
  attempt: 'x-otp-attempt',
  run: 'x-otp-run',
  signature: 'x-otp-attempt-signature',
  step: 'x-otp-step',
} as const;

const MAX_ATTEMPT = 1000;
const MAX_STEP = 16;
const RUN = /^[a-z0-9-]{1,64}$/;
const SIGNATURE = /^([a-zA-Z0-9_-]{1,32})\.([A-Za-z0-9_-]{43})$/;
const derived = new WeakMap<KeyObject, KeyObject>();

/** A key of its own for the headers (HKDF), so the encryption key is never used for two purposes. */
function headerKey(key: JobKey): KeyObject {
  let subkey = derived.get(key.key);
  if (!subkey) {
    subkey = createSecretKey(
      Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), 'otpflow job attempt headers v1', 32)),
    );
    derived.set(key.key, subkey);
  }
  return subkey;
}

/** Step 0 signs as before steps existed, so messages in flight across an upgrade still verify. */
function mac(key: JobKey, jobId: string, attempt: JobAttempt): Buffer {
  const step = attempt.step ? `\n${attempt.step}` : '';
  return createHmac('sha256', headerKey(key))
    .update(`${jobId}\n${attempt.run}\n${attempt.attempt}${step}`)
    .digest();
}

/** The headers that say `attempt` for `jobId`, signed with the active (first) key. */
export function attemptHeaders(
  jobId: string,
  attempt: JobAttempt,
  keys: readonly JobKey[],
): Record<string, string | number> {
  const [active] = keys;
  if (!active) throw new Error('no job encryption key configured');
  return {
    [ATTEMPT_HEADERS.attempt]: attempt.attempt,
    [ATTEMPT_HEADERS.run]: attempt.run,
    [ATTEMPT_HEADERS.signature]: `${active.id}.${mac(active, jobId, attempt).toString('base64url')}`,
    ...(attempt.step ? { [ATTEMPT_HEADERS.step]: attempt.step } : {}),
  };
}

/** Reads and checks a message's attempt headers; anything forged, unsigned or malformed is `tampered`. */
export function readAttempt(
  jobId: string,
  headers: Readonly<Record<string, unknown>>,
  keys: readonly JobKey[],
): JobAttempt {
  const attempt = headers[ATTEMPT_HEADERS.attempt];
  const run = headers[ATTEMPT_HEADERS.run];
  const signature = headers[ATTEMPT_HEADERS.signature];
  const step = headers[ATTEMPT_HEADERS.step] ?? 0;
  if (attempt === undefined && run === undefined && signature === undefined && step === 0)
    return FIRST_ATTEMPT;
  const tampered = (why: string) => new JobRejectedError('tampered', `attempt headers ${why}`);
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1 || attempt > MAX_ATTEMPT)
    throw tampered('carry no valid attempt');
  if (typeof run !== 'string' || !RUN.test(run)) throw tampered('carry no valid run');
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > MAX_STEP)
    throw tampered('carry no valid step');
  const match = typeof signature === 'string' ? SIGNATURE.exec(signature) : null;
  const key = match ? keys.find((candidate) => candidate.id === match[1]) : undefined;
  if (!match || !key) throw tampered('are not signed with a known key');
  const expected = mac(key, jobId, { attempt, run, step });
  if (!timingSafeEqual(Buffer.from(match[2] ?? '', 'base64url'), expected)) throw tampered('do not verify');
  return step > 0 ? { attempt, run, step } : { attempt, run };
}
