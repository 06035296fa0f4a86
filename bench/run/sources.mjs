import { BENCH_API_KEY, BENCH_CLIENT_ID, BENCH_CODE, mobileNumber, testNumber } from '../lib/documents.mjs';

export const SEND_PATH = '/one-time-password-sms/v1/send-code';
export const VALIDATE_PATH = '/one-time-password-sms/v1/validate-code';
export const MESSAGE = '{{code}} is your Cool App code';
export const HEADERS = {
  authorization: `Bearer ${BENCH_API_KEY}`,
  'content-type': 'application/json',
  accept: 'application/json',
};

/** Sessions that validate-code can verify, each used once (a code validates at most once). */
export class SessionPool {
  constructor() {
    this.ids = [];
    this.next = 0;
    /** Requests that found the pool empty and reused a session (their answers are not 2xx). */
    this.reused = 0;
  }

  get remaining() {
    return this.ids.length - this.next;
  }

  take() {
    if (this.next >= this.ids.length) this.reused += 1;
    const id = this.ids[this.next % this.ids.length];
    this.next += 1;
    return id;
  }
}

/**
 * The request bodies of a run's loads: send-code to test numbers (no provider) or to real mobiles
 * (delivered), validate-code from a session pool. The numbers continue across measurements.
 */
export class RequestSources {
  constructor(testNumbers) {
    this.testNumbers = testNumbers;
    this.numberIndex = 0;
    this.mobileIndex = 0;
  }

  send(path, nextNumber, onResponse) {
    return {
      path,
      headers: HEADERS,
      nextBody: () => JSON.stringify({ phoneNumber: nextNumber(), message: MESSAGE }),
      onResponse,
    };
  }

  testSend(path) {
    return this.send(path, () => testNumber(this.numberIndex++, this.testNumbers));
  }

  mobileSend(path, onResponse) {
    return this.send(path, () => mobileNumber(this.mobileIndex++), onResponse);
  }

  validate(path, pool) {
    return {
      path,
      headers: HEADERS,
      // clientId is for the ceiling, which has no authentication to take it from; the gateway ignores it.
      nextBody: () =>
        JSON.stringify({ authenticationId: pool.take(), code: BENCH_CODE, clientId: BENCH_CLIENT_ID }),
    };
  }
}
