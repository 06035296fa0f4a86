import type { RequestHandler } from 'express';
import type { Logger } from '@otpflow/telemetry';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Request rate, latency and errors by route template and API error code, and the access log. Labels
 * are bounded: the route is the template that matched (never the raw path), the code comes from the
 * closed error set.
 */
export function httpMetrics(registry: Registry, logger: Logger): RequestHandler {
  const requests = new Counter({
    name: 'otpflow_http_requests_total',
    help: 'HTTP requests answered, by route template, method, status and API error code ("" on success).',
    labelNames: ['route', 'method', 'status', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'otpflow_http_request_duration_seconds',
    help: 'HTTP request latency by route template and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const inFlight = new Histogram({
    name: 'otpflow_http_requests_in_flight_at_arrival',
    help: 'Requests already in flight when a request arrived: the gateway saturation.',
    buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  let active = 0;
  return (request, response, next) => {
    inFlight.observe(active);
    active += 1;
    // A start time rather than prom-client's startTimer: its two closures and label merge per request
    // buy nothing here, where the labels are known only at the end.
    const startedAt = process.hrtime.bigint();
    response.on('close', () => {
      active -= 1;
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const route = response.locals.routeName ?? 'unmatched';
      const method = request.method;
      duration.observe({ route, method }, seconds);
      const code = response.locals.errorCode ?? '';
      requests.inc({ route, method, status: String(response.statusCode), code });
      // The access log: one line per request, with the correlator; never a body, a path id or a number.
      logger.info(
        {
          method,
          route,
          status: response.statusCode,
          ...(code ? { errorCode: code } : {}),
          ms: Math.round(seconds * 1000),
          correlator: response.locals.correlator,
          client: response.locals.principal?.clientId,
        },
        'request',
      );
    });
    next();
  };
}

/**
 * Records the route template that matched (mount path + route path), for the metrics. Express resets
 * `baseUrl` when a router exits, so it is taken here, while the route runs.
 */
export const nameRoute: RequestHandler = (request, response, next) => {
  const matched = request.route as { path?: unknown } | undefined;
  if (typeof matched?.path === 'string') response.locals.routeName = `${request.baseUrl}${matched.path}`;
  next();
};
