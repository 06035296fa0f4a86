import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers one request. */
export type Responder = (request: RecordedRequest, response: ServerResponse) => void;

/** A JSON answer (or an empty one when `body` is undefined). */
export function json(status: number, body?: unknown, headers: Record<string, string> = {}): Responder {
  return (_request, response) => {
    response.writeHead(status, {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };
}

/** Never answers: the client's timeout has to end the request. */
export const hang: Responder = () => undefined;

/** Closes the connection without an answer, as a crashing server or a dropped link would. */
export const drop: Responder = (_request, response) => {
  response.socket?.destroy();
};

/**
 * A local HTTP server for the SDK's unit tests: it records every request and answers them with the
 * queued responders in order, the last one repeating.
 */
export class LocalServer {
  readonly requests: RecordedRequest[] = [];
  #responders: Responder[] = [json(200, {})];
  readonly #server: Server;
  #url = '';

  private constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.#answer(
          {
            method: request.method ?? '',
            url: request.url ?? '',
            headers: request.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          },
          response,
        );
      });
    });
  }

  static async start(): Promise<LocalServer> {
    const local = new LocalServer();
    await new Promise<void>((resolve) => local.#server.listen(0, '127.0.0.1', resolve));
    const { port } = local.#server.address() as AddressInfo;
    local.#url = `http://127.0.0.1:${port}`;
    return local;
  }

  get url(): string {
    return this.#url;
  }

  /** The answers to the next requests, in order; the last one repeats. */
  respond(...responders: [Responder, ...Responder[]]): void {
    this.#responders = responders;
    this.requests.length = 0;
  }

  /** The last recorded request. */
  get last(): RecordedRequest {
    const request = this.requests.at(-1);
    if (!request) throw new Error('no request was received');
    return request;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #answer(request: RecordedRequest, response: ServerResponse): void {
    this.requests.push(request);
    const responder =
      this.#responders[Math.min(this.requests.length - 1, this.#responders.length - 1)] ?? json(500, {});
    responder(request, response);
  }
}
