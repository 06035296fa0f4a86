import { randomInt } from 'node:crypto';
import { WebhookServer } from '../lib/webhook-receiver.mjs';

/** Keeps the code of every SMS by authenticationId, and wakes whoever waits for it. */
export class Inbox extends WebhookServer {
  constructor() {
    super();
    this.codes = new Map();
    this.waiting = new Map();
  }

  record(body) {
    const code = /\d{6}/.exec(body?.text ?? '')?.[0];
    const id = body?.authenticationId;
    if (code && id) {
      this.codes.set(id, code);
      this.waiting.get(id)?.(code);
      this.waiting.delete(id);
    }
    return `sim-${id ?? randomInt(1e9)}`;
  }

  // A user waits up to a minute for an SMS before giving up (a loaded machine delays them by tens of
  // seconds; a user who gave up is a code not entered, which the guard sees as lower conversion).
  codeFor(id, timeoutMs = 60_000) {
    const known = this.codes.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      setTimeout(() => resolve(undefined), timeoutMs).unref();
    });
  }
}
