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

describe('createLogger', () => {
  it('masks phone numbers and censors codes and credentials', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ service: 'test', level: 'info' }, sink);
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
