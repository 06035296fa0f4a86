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

  codeFor(id, timeoutMs = 10_000) {
    const known = this.codes.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      setTimeout(() => resolve(undefined), timeoutMs).unref();
    });
  }
}
