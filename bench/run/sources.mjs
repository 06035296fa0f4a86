import { mobileNumber, testNumber } from '../lib/documents.mjs';
import { sendCodeSource, validateCodeSource } from '../lib/requests.mjs';

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

  testSend(path) {
    return sendCodeSource(() => testNumber(this.numberIndex++, this.testNumbers), { path });
  }

  mobileSend(path, onResponse) {
    return sendCodeSource(() => mobileNumber(this.mobileIndex++), { path, onResponse });
  }

  /** The same bodies for the gateway and the ceiling, so the two do the same work. */
  validate(path, pool) {
    return validateCodeSource(() => pool.take(), { path, withClientId: true });
  }
}
