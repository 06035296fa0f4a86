import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** A named dependency check for /readyz; it must answer within its own timeout. */
export type ReadinessCheck = () => Promise<boolean>;

export interface OpsEndpointsOptions {
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  /** False once shutdown begins, so load balancers stop sending work before connections close. */
  isAccepting: () => boolean;
  checkTimeoutMs?: number;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

const OPS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Whether a request is one the ops handler answers, decided without a promise: the gateway asks
 * before every API request, and most are not.
 */
export function isOpsRequest(request: IncomingMessage): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && OPS_PATHS.has(pathOf(request));
}

/**
 * /healthz (the process is alive and its event loop turns), /readyz (every dependency answers) and
 * /metrics (Prometheus exposition). Returns a handler that answers those paths and reports whether it
 * did, so the gateway can put it in front of its API and other services can serve it alone.
 */
export function createOpsHandler(options: OpsEndpointsOptions) {
  const timeoutMs = options.checkTimeoutMs ?? 1_000;
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if (!isOpsRequest(request)) return false;
    const path = pathOf(request);
    if (path === '/healthz') {
      sendJson(response, 200, { status: 'ok' });
      return true;
    }
    if (path === '/readyz') {
      const names = Object.keys(options.checks);
      const results = await Promise.all(
        names.map((name) => runCheck(options.checks[name] ?? (() => Promise.resolve(false)), timeoutMs)),
      );
      const checks = Object.fromEntries(names.map((name, index) => [name, results[index] ? 'up' : 'down']));
      const ready = options.isAccepting() && results.every(Boolean);
      sendJson(response, ready ? 200 : 503, {
        status: ready ? 'ready' : 'not ready',
        accepting: options.isAccepting(),
        checks,
      });
      return true;
    }
    if (path === '/metrics') {
      const body = await options.registry.metrics();
      response.writeHead(200, { 'content-type': options.registry.contentType });
      response.end(body);
      return true;
    }
    return false;
  };
}

/** A standalone server for the ops endpoints, for services without an HTTP API of their own. */
export async function startOpsServer(
  options: OpsEndpointsOptions & { port: number; host?: string },
): Promise<Server> {
  const handle = createOpsHandler(options);
  const server = createServer((request, response) => {
    void handle(request, response).then((handled) => {
      if (!handled)
        sendJson(response, 404, {
          status: 404,
          code: 'NOT_FOUND',
          message: 'The specified resource is not found.',
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '0.0.0.0', resolve));
  return server;
}

/** Closes an HTTP server: stops accepting, lets in-flight requests finish, then drops idle sockets. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve, reject) => {
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
  });
  server.closeIdleConnections();
  await closed;
}
