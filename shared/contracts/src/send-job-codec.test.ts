import { randomBytes, randomUUID } from 'node:crypto';
import { SchemaError } from '@otpflow/errors';
import { describe, expect, it } from 'vitest';
import { jobKeysSchema } from './job-crypto.js';
import { encodeSendJob, openSendJob, parseSendJob, type SendJobFields } from './send-job-codec.js';

const keyA = `a:${randomBytes(32).toString('base64')}`;
const keyB = `b:${randomBytes(32).toString('base64')}`;
const keys = jobKeysSchema.parse(`${keyA},${keyB}`);

const fields = (): SendJobFields => ({
  jobId: randomUUID(),
  authenticationId: randomUUID(),
  clientId: 'acme',
  channel: 'sms',
  countryCallingCode: '34',
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 300_000).toISOString(),
  options: {},
  test: false,
});
const secret = { to: '+34666111333', text: '123456 is your code', code: '123456', variables: {} };

describe('send job codec', () => {
  it('round-trips and keeps the number, text and code out of the wire form', () => {
    const wire = encodeSendJob(fields(), secret, keys);
    const text = wire.toString();
    expect(text).not.toContain('666111333');
    expect(text).not.toContain('123456');
    expect(openSendJob(parseSendJob(wire), keys)).toEqual(secret);
  });

  it('opens payloads sealed with an older key after rotation', () => {
    const wire = encodeSendJob(fields(), secret, jobKeysSchema.parse(keyB));
    expect(openSendJob(parseSendJob(wire), keys)).toEqual(secret);
  });

  it('refuses a sealed payload moved to another job or given a later expiry', () => {
    const job = parseSendJob(encodeSendJob(fields(), secret, keys));
    expect(() => openSendJob({ ...job, authenticationId: randomUUID() }, keys)).toThrow(SchemaError);
    expect(() => openSendJob({ ...job, expiresAt: new Date(Date.now() + 9e6).toISOString() }, keys)).toThrow(
      SchemaError,
    );
  });

  it('refuses an unknown key and a malformed envelope', () => {
    const job = parseSendJob(encodeSendJob(fields(), secret, keys));
    expect(() => openSendJob(job, jobKeysSchema.parse(`c:${randomBytes(32).toString('base64')}`))).toThrow(
      /unknown key/,
    );
    expect(() => parseSendJob(Buffer.from('not json'))).toThrow(SchemaError);
    expect(() => parseSendJob(Buffer.from(JSON.stringify({ ...job, channel: 'fax' })))).toThrow(SchemaError);
  });

  it('rejects badly formed keys', () => {
    expect(jobKeysSchema.safeParse('nokey').success).toBe(false);
    expect(jobKeysSchema.safeParse(`x:${randomBytes(16).toString('base64')}`).success).toBe(false);
    expect(jobKeysSchema.safeParse('').success).toBe(false);
  });
});
