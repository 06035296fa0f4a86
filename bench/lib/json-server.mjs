import { createServer } from 'node:http';

/**
 * The bench's reference servers (the ceiling, the HTTP layer's bare variant): a bare node:http server.
 * GET /readyz answers ready (with `about`'s fields: what the server chose to do); any other request has its body read and parsed as JSON (work any real
 * endpoint does, so the reference does it too) and `handle(url, body)` answers `{ status, body }`. A
 * body that is not JSON is a 400; a handler that fails, a 503.
 */
export function jsonServer(handle, about = {}) {
  const ready = JSON.stringify({ status: 'ready', ...about });
  return createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/readyz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(ready);
      return;
    }
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        response.writeHead(400).end();
        return;
      }
      Promise.resolve()
        .then(() => handle(request.url, body))
        .then(
          ({ status, body: answer = '' }) => {
            const headers = answer ? { 'content-type': 'application/json' } : {};
            response.writeHead(status, headers).end(answer);
          },
          () => response.writeHead(503).end(),
        );
    });
  });
}

/**
 * Listens on loopback with the keep-alive the load generators expect, until SIGTERM or SIGINT: then
 * the server closes with its connections and `release` (the server's own clients) runs before exit.
 */
export function serveUntilStopped(server, port, release = async () => {}) {
  server.keepAliveTimeout = 30_000;
  server.listen(port, '127.0.0.1');
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void release().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
