import { once } from 'node:events';
import { createServer } from 'node:http';

/**
 * A local stand-in for the in-house SMS gateway the dispatcher's webhook provider posts to: it accepts
 * every message and hands it to `record` with its arrival time (performance.now(), the clock the load
 * generators stamp sends with). Subclasses decide what to keep.
 */
export class WebhookServer {
  constructor() {
    this.server = createServer((request, response) => {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        const arrivedAt = performance.now();
        let body;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        const receipt = this.record(body, request.headers, arrivedAt);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: receipt }));
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  /**
   * Keeps what the subclass needs of one message; `body` is undefined when it was not JSON.
   * @param {any} _body
   * @param {import('node:http').IncomingHttpHeaders} _headers
   * @param {number} _arrivedAt
   * @returns {string} the provider's message id to answer with
   */
  record(_body, _headers, _arrivedAt) {
    throw new Error('WebhookServer.record must be implemented');
  }

  async start() {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  async close() {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** For the benchmark: the first arrival time of each authenticationId, and how many came again. */
export class WebhookReceiver extends WebhookServer {
  constructor() {
    super();
    /** @type {Map<string, number>} authenticationId → arrival time */
    this.arrivals = new Map();
    this.duplicates = 0;
  }

  record(body, _headers, arrivedAt) {
    // A message without an id is kept under '' (counted as an arrival, so it is never silently lost).
    const id = typeof body?.authenticationId === 'string' ? body.authenticationId : '';
    if (this.arrivals.has(id)) this.duplicates += 1;
    else this.arrivals.set(id, arrivedAt);
    return `bench-${this.arrivals.size}`;
  }

  reset() {
    this.arrivals.clear();
    this.duplicates = 0;
  }
}
