import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { maskPhoneNumber, maskPhoneNumbersIn } from './mask.js';

describe('maskPhoneNumber', () => {
  it('keeps the start and the last two digits', () => {
    expect(maskPhoneNumber('+346661113334')).toBe('+346*******34');
    expect(maskPhoneNumbersIn('provider refused +34612345678 today')).toBe(
      'provider refused +346******78 today',
    );
  });
});

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ service: 'test', level: 'info' }, sink);
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, logger, parsed };
}

describe('createLogger', () => {
  it('masks phone numbers and censors codes and credentials', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        phoneNumber: '+34612345678',
        otp: '123456',
        payload: { code: '654321' },
        authorization: 'Bearer abc',
      },
      'hello',
    );
    logger.error({ err: new Error('could not reach +34612345678') }, 'failed');
    const output = lines.join('');
    for (const secret of ['612345678', '123456', '654321', 'Bearer abc'])
      expect(output).not.toContain(secret);
    expect(output).toContain('+346******78');
  });
});

describe('createLogger redaction', () => {
  it('censors sensitive fields at the top level, one level down and in nested headers', () => {
    const { logger, parsed } = capture();
    const job = {
      otp: '246810',
      channel: 'sms',
      headers: { authorization: 'Basic x', cookie: 'c=1', accept: '*/*' },
    };
    logger.info({ job, sealed: 'abc.def', request: { body: { code: '135790' }, token: 't0k' } }, 'nested');
    const [line] = parsed();
    expect(line).toMatchObject({
      job: {
        otp: '[redacted]',
        channel: 'sms',
        headers: { authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' },
      },
      sealed: '[redacted]',
      request: { body: '[redacted]', token: '[redacted]' },
    });
    // The caller's objects are never changed.
    expect(job.otp).toBe('246810');
    expect(job.headers.authorization).toBe('Basic x');
  });

  it('censors the bindings of child loggers and the fields of logged errors', () => {
    const { logger, lines, parsed } = capture();
    const error = Object.assign(new Error('provider said no to +34612345678'), {
      body: 'otp 112233',
      status: 502,
    });
    logger
      .child({ secret: 's3cr3t', job: { payload: 'p' } })
      .child({ jobId: 'j-1', token: 'tk' })
      .error({ err: error }, 'failed');
    const [line] = parsed();
    expect(line).toMatchObject({
      secret: '[redacted]',
      jobId: 'j-1',
      token: '[redacted]',
      job: { payload: '[redacted]' },
      err: { type: 'Error', body: '[redacted]', status: 502, message: 'provider said no to +346******78' },
    });
    for (const secret of ['s3cr3t', '112233', '612345678']) expect(lines.join('')).not.toContain(secret);
  });

  it('writes lines with nothing to censor as they are', () => {
    const { logger, parsed } = capture();
    const at = new Date('2026-01-02T03:04:05.000Z');
    logger.info({ method: 'POST', status: 200, ms: 3, at, tags: ['a'], nested: { route: '/x' } }, 'request');
    expect(parsed()[0]).toMatchObject({
      service: 'test',
      level: 'info',
      msg: 'request',
      method: 'POST',
      status: 200,
      ms: 3,
      at: '2026-01-02T03:04:05.000Z',
      tags: ['a'],
      nested: { route: '/x' },
    });
  });
});
