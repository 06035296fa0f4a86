import { WebhookServer } from '../lib/webhook-receiver.mjs';

/**
 * For the soak: keeps, per authenticationId, when a message first arrived, the code it carried (so the
 * soak can present a code that is certainly wrong) and the idempotency keys it came with (a repeat
 * under the same key is a redelivery the provider would drop; under another key, a second SMS).
 */
export class SoakWebhook extends WebhookServer {
  constructor() {
    super();
    /** @type {Map<string, { arrivedAt: number, code: string | undefined, keys: Set<string>, count: number }>} */
    this.messages = new Map();
    this.unreadable = 0;
  }

  record(body, headers, arrivedAt) {
    if (body === undefined || body === null) {
      this.unreadable += 1;
      return 'soak-unreadable';
    }
    const id = String(body.authenticationId);
    const entry = this.messages.get(id) ?? {
      arrivedAt,
      code: /(\d{4,10})/.exec(String(body.text))?.[1],
      keys: new Set(),
      count: 0,
    };
    entry.count += 1;
    entry.keys.add(String(headers['idempotency-key']));
    this.messages.set(id, entry);
    return `soak-${this.messages.size}`;
  }

  /** Messages that came more than once: under the same idempotency key, and under several. */
  repeats() {
    let sameKey = 0;
    let otherKeys = 0;
    for (const entry of this.messages.values()) {
      if (entry.keys.size > 1) otherKeys += 1;
      else if (entry.count > 1) sameKey += 1;
    }
    return { sameKey, otherKeys };
  }
}
