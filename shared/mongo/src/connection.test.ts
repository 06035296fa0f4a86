import { MongoNetworkError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isMongoUnavailableError } from './connection.js';

function socketError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isMongoUnavailableError', () => {
  it("takes the driver's network errors for an unavailable database", () => {
    expect(isMongoUnavailableError(new MongoNetworkError('connection closed'))).toBe(true);
  });

  it('takes the raw socket errors the driver lets through, such as a write after the server closed', () => {
    expect(
      isMongoUnavailableError(socketError('EPIPE', 'This socket has been ended by the other party')),
    ).toBe(true);
    expect(isMongoUnavailableError(socketError('ECONNRESET', 'read ECONNRESET'))).toBe(true);
  });

  it('leaves errors about the query itself, and errors with other codes, to be bugs', () => {
    expect(isMongoUnavailableError(new MongoServerError({ message: 'bad update', code: 9 }))).toBe(false);
    expect(isMongoUnavailableError(socketError('ERR_INVALID_ARG_TYPE', 'wrong argument'))).toBe(false);
    expect(isMongoUnavailableError(new TypeError('x is undefined'))).toBe(false);
    expect(isMongoUnavailableError('EPIPE')).toBe(false);
  });
});
