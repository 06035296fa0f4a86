import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the fake answered with (undefined while pending, or when it hung or garbled). */
  answeredWith?: number;
}

export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the connection stays open until the server closes). */
  hang?: boolean;
  /** Write half a status line and cut the connection: an answer no HTTP client can read. */
  garble?: boolean;
}

/**
 * A local HTTP server standing in for a vendor or an in-house gateway: it records every request and
 * answers with whatever the test's responder returns. Vendor fakes build on it with their wire format.
 */
export class FakeHttpServer {
  readonly requests: CapturedRequest[] = [];
  private server: Server | HttpsServer | undefined;
  private url_ = '';
  private readonly sockets = new Set<Socket>();

  constructor(private responder: (request: CapturedRequest) => CannedResponse | Promise<CannedResponse>) {}

  get url(): string {
    return this.url_;
  }

  /** Connections clients hold open to this server right now, idle keep-alive ones included. */
  get openConnections(): number {
    return this.sockets.size;
  }

  respondWith(responder: (request: CapturedRequest) => CannedResponse | Promise<CannedResponse>): void {
    this.responder = responder;
  }

  /**
   * Listens on a free port of 127.0.0.1; with `tls` (a PEM certificate and its key) it speaks HTTPS,
   * as an endpoint a production service calls must.
   */
  async start(options: { tls?: { cert: string; key: string } } = {}): Promise<this> {
    const listener: RequestListener = (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const captured: CapturedRequest = {
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(captured);
        void Promise.resolve(this.responder(captured)).then((canned) => {
          if (canned.hang) return;
          if (canned.garble) {
            request.socket.end('HTTP/1.1 2');
            return;
          }
          captured.answeredWith = canned.status;
          response.writeHead(canned.status, { 'content-type': 'application/json', ...canned.headers });
          response.end(canned.body ?? '');
        });
      });
    };
    const server = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    this.url_ = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
