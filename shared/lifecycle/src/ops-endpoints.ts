import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Gauge, type Registry } from 'prom-client';

/** A named dependency check (MongoDB answers, the broker connection is up); given up on after a timeout. */
export type ReadinessCheck = () => Promise<boolean>;

export interface OpsEndpointsOptions {
  registry: Registry;
  /**
   * The service's dependencies, reported by /readyz (in its body) and by the otpflow_dependency_up
   * gauge, and never a reason to answer unready: every replica shares them, so a dependency that is down
   * would take every replica out at once, and the load balancer would answer in their place, without the
   * API's error body, without a metric (docs/deployment.md, "Readiness"). The alerts watch the gauge.
   */
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

/** Runs every check side by side: each dependency's name and whether it answered in time. */
async function runChecks(checks: Record<string, ReadinessCheck>, timeoutMs: number) {
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map((name) => runCheck(checks[name] ?? (() => Promise.resolve(false)), timeoutMs)),
  );
  return names.map((name, index) => ({ name, up: results[index] === true }));
}

/**
 * otpflow_dependency_up{dependency}: 1 while the dependency answers this replica, 0 when it does not,
 * checked at every scrape. Unready pods are scraped too, so the alerts see an outage from every side.
 */
function registerDependencyGauge(options: OpsEndpointsOptions, timeoutMs: number): void {
  const checks = options.checks;
  new Gauge({
    name: 'otpflow_dependency_up',
    help: 'Whether a dependency (mongodb, rabbitmq) answers this replica (1) or not (0), at scrape time.',
    labelNames: ['dependency'] as const,
    registers: [options.registry],
    async collect() {
      for (const { name, up } of await runChecks(checks, timeoutMs))
        this.set({ dependency: name }, up ? 1 : 0);
    },
  });
}

/**
 * /healthz (the process is alive and its event loop turns), /readyz (the replica takes traffic: ready
 * until shutdown begins; the dependencies are reported, see OpsEndpointsOptions.checks) and /metrics
 * (Prometheus exposition, with otpflow_dependency_up). Returns a handler that answers those paths and
 * reports whether it did, so the gateway can put it in front of its API and other services can serve
 * it alone.
 */
export function createOpsHandler(options: OpsEndpointsOptions) {
  const timeoutMs = options.checkTimeoutMs ?? 1_000;
  registerDependencyGauge(options, timeoutMs);
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if (!isOpsRequest(request)) return false;
    const path = pathOf(request);
    if (path === '/healthz') {
      sendJson(response, 200, { status: 'ok' });
      return true;
    }
    if (path === '/readyz') {
      const results = await runChecks(options.checks, timeoutMs);
      const checks = Object.fromEntries(results.map(({ name, up }) => [name, up ? 'up' : 'down']));
      const ready = options.isAccepting();
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
