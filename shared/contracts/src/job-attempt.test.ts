import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ATTEMPT_HEADERS, FIRST_ATTEMPT, attemptHeaders, readAttempt } from './job-attempt.js';
import { jobKeysSchema } from './job-crypto.js';
import { JobRejectedError } from './job-rejection.js';

const keyOf = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const [old, current] = [keyOf('old'), keyOf('new')];
const keys = jobKeysSchema.parse(`${current},${old}`);
const jobId = randomUUID();

const tampered = (headers: Record<string, unknown>, forJob = jobId) => {
  try {
    readAttempt(forJob, headers, keys);
  } catch (error) {
    return error instanceof JobRejectedError && error.rejection === 'tampered';
  }
  return false;
};

describe('job attempt headers', () => {
  it('reads a message without attempt headers as the first attempt of the first run', () => {
    expect(readAttempt(jobId, { 'x-correlator': 'abc' }, keys)).toEqual(FIRST_ATTEMPT);
  });

  it('round-trips a signed attempt, also after the signing key was rotated out of first place', () => {
    const headers = attemptHeaders(jobId, { attempt: 3, run: 'replay-1f2e' }, jobKeysSchema.parse(old));
    expect(readAttempt(jobId, headers, keys)).toEqual({ attempt: 3, run: 'replay-1f2e' });
  });

  it('refuses a reset count, an invented run, a moved signature and a missing one', () => {
    const headers = attemptHeaders(jobId, { attempt: 4, run: 'first' }, keys);
    expect(tampered({ ...headers, [ATTEMPT_HEADERS.attempt]: 1 })).toBe(true);
    expect(tampered({ ...headers, [ATTEMPT_HEADERS.run]: 'forged' })).toBe(true);
    expect(tampered(headers, randomUUID())).toBe(true);
    expect(tampered({ [ATTEMPT_HEADERS.attempt]: 1, [ATTEMPT_HEADERS.run]: 'forged' })).toBe(true);
    expect(tampered({ ...headers, [ATTEMPT_HEADERS.signature]: 'unknown.AAAA' })).toBe(true);
    expect(tampered({ ...headers, [ATTEMPT_HEADERS.attempt]: '4' })).toBe(true);
  });

  it('refuses headers signed with a key it does not have', () => {
    const foreign = attemptHeaders(jobId, { attempt: 2, run: 'first' }, jobKeysSchema.parse(keyOf('new')));
    expect(tampered(foreign)).toBe(true);
  });

  it('signs the workflow step with the attempt: a step cannot be skipped to, dropped or forged', () => {
    const headers = attemptHeaders(jobId, { attempt: 1, run: 'first', step: 2 }, keys);
    expect(readAttempt(jobId, headers, keys)).toEqual({ attempt: 1, run: 'first', step: 2 });
    expect(tampered({ ...headers, [ATTEMPT_HEADERS.step]: 1 })).toBe(true);
    const { [ATTEMPT_HEADERS.step]: _step, ...withoutStep } = headers;
    expect(tampered(withoutStep)).toBe(true);
    expect(tampered({ [ATTEMPT_HEADERS.step]: 1 })).toBe(true);
    expect(tampered({ ...headers, [ATTEMPT_HEADERS.step]: 99 })).toBe(true);
  });

  it('signs step 0 as before steps existed, so messages in flight across an upgrade still open', () => {
    const headers = attemptHeaders(jobId, { attempt: 2, run: 'first', step: 0 }, keys);
    expect(headers).not.toHaveProperty(ATTEMPT_HEADERS.step);
    expect(readAttempt(jobId, headers, keys)).toEqual({ attempt: 2, run: 'first' });
  });
});
