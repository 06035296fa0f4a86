import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEV_JOB_ENCRYPTION_KEYS, jobKeysSchema, usesDevelopmentJobKey } from './job-crypto.js';
import { JobRejectedError, type JobRejection } from './job-rejection.js';
import { encodeSendJob, openSendJob, parseSendJob, type SendJobFields } from './send-job-codec.js';
import type { SendJob } from './send-job.js';

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
  allowedChannels: ['sms'],
  test: false,
});
const secret = { to: '+34666111333', text: '123456 is your code', code: '123456', variables: {} };

function rejectionOf(action: () => unknown): JobRejection | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof JobRejectedError) return error.rejection;
    throw error;
  }
  return undefined;
}

/** The job as it would arrive after someone rewrote its JSON on the broker. */
const rewritten = (job: SendJob, change: (raw: Record<string, unknown>) => void): SendJob => {
  const raw = JSON.parse(JSON.stringify(job)) as Record<string, unknown>;
  change(raw);
  return parseSendJob(Buffer.from(JSON.stringify(raw)));
};

describe('send job codec', () => {
  it('round-trips and keeps the number, text and code out of the wire form', () => {
    const wire = encodeSendJob(fields(), secret, keys);
    const text = wire.toString();
    expect(text).not.toContain('666111333');
    expect(text).not.toContain('123456');
    expect(openSendJob(parseSendJob(wire), keys)).toEqual(secret);
  });

  it('seals what the fraud guard judged the number on (its line type says something of it)', () => {
    const judged = { ...secret, fraud: { lineType: 'MOBILE', thresholdScale: 2 } };
    const wire = encodeSendJob(fields(), judged, keys);
    expect(wire.toString()).not.toContain('MOBILE');
    expect(openSendJob(parseSendJob(wire), keys)).toEqual(judged);
  });

  it('carries the longest tenant id the gateway authenticates (an OIDC one)', () => {
    const clientId = `oidc:${'c'.repeat(128)}`;
    const job = parseSendJob(encodeSendJob({ ...fields(), clientId }, secret, keys));
    expect(job.clientId).toBe(clientId);
    expect(openSendJob(job, keys)).toEqual(secret);
    const tooLong = encodeSendJob({ ...fields(), clientId: `${clientId}c` }, secret, keys);
    expect(rejectionOf(() => parseSendJob(tooLong))).toBe('malformed');
  });

  it('opens payloads sealed with an older key after rotation', () => {
    const wire = encodeSendJob(fields(), secret, jobKeysSchema.parse(keyB));
    expect(openSendJob(parseSendJob(wire), keys)).toEqual(secret);
  });

  it('refuses a sealed payload moved to another job or given a later expiry', () => {
    const job = parseSendJob(encodeSendJob(fields(), secret, keys));
    expect(() => openSendJob({ ...job, authenticationId: randomUUID() }, keys)).toThrow(JobRejectedError);
    expect(() => openSendJob({ ...job, expiresAt: new Date(Date.now() + 9e6).toISOString() }, keys)).toThrow(
      JobRejectedError,
    );
  });

  it.each<[string, (raw: Record<string, unknown>) => void]>([
    ['channel', (raw) => (raw.channel = 'voice')],
    ['allowed channels', (raw) => (raw.allowedChannels = ['sms'])],
    ['sender id', (raw) => (raw.options = { senderId: 'EvilCorp' })],
    ['voice language', (raw) => (raw.options = { voiceLanguage: 'ru-RU' })],
    ['test flag', (raw) => (raw.test = true)],
    ['client', (raw) => (raw.clientId = 'another-tenant')],
    ['country calling code', (raw) => (raw.countryCallingCode = '881')],
    ['creation time', (raw) => (raw.createdAt = new Date(0).toISOString())],
    ['job id', (raw) => (raw.jobId = randomUUID())],
  ])('refuses a job whose %s was changed as tampered', (_field, change) => {
    const job = parseSendJob(encodeSendJob({ ...fields(), allowedChannels: ['sms', 'voice'] }, secret, keys));
    expect(rejectionOf(() => openSendJob(rewritten(job, change), keys))).toBe('tampered');
  });

  it('ignores fields it does not know, which the dispatcher never acts on', () => {
    const job = parseSendJob(encodeSendJob(fields(), secret, keys));
    expect(
      openSendJob(
        rewritten(job, (raw) => (raw.priority = 'urgent')),
        keys,
      ),
    ).toEqual(secret);
  });

  it('says why a job cannot be opened', () => {
    const job = parseSendJob(encodeSendJob(fields(), secret, keys));
    const otherKeys = jobKeysSchema.parse(`c:${randomBytes(32).toString('base64')}`);
    expect(rejectionOf(() => openSendJob(job, otherKeys))).toBe('unknown_key');
    const sameIdOtherKey = jobKeysSchema.parse(`a:${randomBytes(32).toString('base64')}`);
    expect(rejectionOf(() => openSendJob(job, sameIdOtherKey))).toBe('tampered');
    expect(rejectionOf(() => parseSendJob(Buffer.from('not json')))).toBe('malformed');
    expect(rejectionOf(() => parseSendJob(Buffer.from(JSON.stringify({ ...job, channel: 'fax' }))))).toBe(
      'malformed',
    );
    const v1 = { ...job, schema: 'otpflow.send-job.v1' };
    expect(rejectionOf(() => parseSendJob(Buffer.from(JSON.stringify(v1))))).toBe('unsupported_version');
  });

  it('opens, under the dispatcher’s parse, a job with every field the gateway may set', () => {
    // The gateway does not parse what it encodes: what it binds must be what the dispatcher's parse
    // gives back, optional fields and all.
    const sent: SendJobFields = {
      ...fields(),
      channel: 'voice',
      options: {
        senderId: 'Acme',
        voiceLanguage: 'es-ES',
        voiceGender: 'female',
        templateId: 'login',
        locale: 'es-ES',
      },
      allowedChannels: ['voice', 'sms'],
      test: true,
      workflow: [{ channel: 'voice', timeoutSeconds: 60 }, { channel: 'sms' }],
    };
    const sealed = {
      ...secret,
      variables: { app: 'Acme' },
      recipientIp: '2001:db8::1',
      voiceTemplate: 'Your code is {{code}}',
      state: { numberKey: 'n', tenantKey: 't', codeId: 'c' },
      fraud: { lineType: 'MOBILE', thresholdScale: 2, minConversion: 0.2 },
    };
    const job = parseSendJob(encodeSendJob(sent, sealed, keys));
    expect(job).toEqual({ schema: 'otpflow.send-job.v2', ...sent, sealed: expect.any(String) as unknown });
    expect(openSendJob(job, keys)).toEqual(sealed);
  });

  it('refuses a job whose channel its own allowed channels exclude', () => {
    expect(() =>
      encodeSendJob({ ...fields(), channel: 'voice', allowedChannels: ['sms'] }, secret, keys),
    ).toThrow();
  });

  it('gives every job its own IV, across as many seals as several IV pools hold', () => {
    const ivs = new Set<string>();
    for (let index = 0; index < 600; index += 1) {
      const job = parseSendJob(encodeSendJob(fields(), secret, keys));
      ivs.add(job.sealed.split('.')[1] ?? '');
    }
    expect(ivs.size).toBe(600);
  });

  it('writes on the wire exactly the envelope the seal is bound to, and the seal', () => {
    const sent = fields();
    const job = JSON.parse(encodeSendJob(sent, secret, keys).toString()) as Record<string, unknown>;
    expect(job).toEqual({ schema: 'otpflow.send-job.v2', ...sent, sealed: expect.any(String) as unknown });
  });

  it('opens a job an earlier gateway wrote, its fields in declaration order (a rolling update)', () => {
    const written =
      '{"schema":"otpflow.send-job.v2","jobId":"7d1f0c2e-5b7a-4c1e-9f3a-2b6d8e4a1c90","authenticationId":"a1b2c3",' +
      '"clientId":"acme","channel":"sms","countryCallingCode":"34","createdAt":"2026-01-01T10:00:00.000Z",' +
      '"expiresAt":"2026-01-01T10:05:00.000Z","options":{"senderId":"Acme","locale":"es-ES"},' +
      '"allowedChannels":["sms","voice"],"test":false,"sealed":"dev.OBqdxMQr1Qf9CzE3.wGEZutw2woPmkWm9tRRZbmKU5e' +
      'TsIqD4yo79dbd_zmjOTbjv-Ga10P3LqBv5TCYU0qLEaBCS4byi6Gdnlm34Ckq2IhOl_ghDCU2CRxwYJSuTwMHdw8W22jPA7jD6.3949bNY7' +
      '3meTqA39Z4ifcw"}';
    const devKeys = jobKeysSchema.parse(DEV_JOB_ENCRYPTION_KEYS);
    expect(openSendJob(parseSendJob(Buffer.from(written)), devKeys)).toEqual({
      to: '+34666111333',
      text: '123456 is your code',
      code: '123456',
      variables: { name: 'Ana' },
    });
  });

  it.each<[string, Partial<SendJobFields>]>([
    ['starts on another channel', { workflow: [{ channel: 'voice' }, { channel: 'sms' }] }],
    [
      'uses a channel not allowed',
      { allowedChannels: ['sms'], workflow: [{ channel: 'sms' }, { channel: 'voice' }] },
    ],
  ])('refuses to write, and refuses to read, a job whose workflow %s', (_case, change) => {
    const conflicting: SendJobFields = { ...fields(), allowedChannels: ['sms', 'voice'], ...change };
    expect(() => encodeSendJob(conflicting, secret, keys)).toThrow(/workflow/);
    const job = parseSendJob(encodeSendJob({ ...fields(), allowedChannels: ['sms', 'voice'] }, secret, keys));
    const read = rewritten.bind(undefined, job, (raw) => Object.assign(raw, change));
    expect(rejectionOf(read)).toBe('malformed');
  });

  it('rejects badly formed keys', () => {
    expect(jobKeysSchema.safeParse('nokey').success).toBe(false);
    expect(jobKeysSchema.safeParse(`x:${randomBytes(16).toString('base64')}`).success).toBe(false);
    expect(jobKeysSchema.safeParse('').success).toBe(false);
  });

  it('recognises the public development key under any key id', () => {
    expect(usesDevelopmentJobKey(jobKeysSchema.parse(DEV_JOB_ENCRYPTION_KEYS))).toBe(true);
    const renamed = DEV_JOB_ENCRYPTION_KEYS.replace(/^dev:/, 'k2026:');
    expect(usesDevelopmentJobKey(jobKeysSchema.parse(`${keyA},${renamed}`))).toBe(true);
    expect(usesDevelopmentJobKey(keys)).toBe(false);
  });
});
