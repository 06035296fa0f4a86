import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '@otpflow/lifecycle';
import type { Logger } from '@otpflow/telemetry';

/** Answers a request it knows, and says whether it did. */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/**
 * The dispatcher's HTTP server: each handler in turn (ops endpoints, receipts), then a CAMARA-style
 * 404. A handler that throws answers 500 without a body, never a stack trace.
 */
export async function startHttpServer(
  handlers: readonly RouteHandler[],
  address: { port: number; host: string },
  logger: Logger,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    void (async () => {
      for (const handle of handlers) if (await handle(request, response)) return;
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ status: 404, code: 'NOT_FOUND', message: 'The specified resource is not found.' }),
      );
    })().catch((error: unknown) => {
      logger.error({ err: error }, 'request failed');
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  // A port it cannot open rejects with a ListenError (main.ts ends the process with one line).
  const port = await listen(server, address.port, address.host);
  return { server, url: `http://127.0.0.1:${port}` };
}
