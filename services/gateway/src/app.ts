import type { OpsEndpointsOptions } from '@otpflow/lifecycle';
import { createOpsHandler, isOpsRequest } from '@otpflow/lifecycle';
import type { Logger } from '@otpflow/telemetry';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Authenticator } from './auth/authenticator.js';
import { correlator } from './http/correlator.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { httpMetrics } from './http/http-metrics.js';
import { securityHeaders } from './http/security-headers.js';
import './http/locals.js';
import { mountRoutes } from './http/mount-routes.js';
import type { RouteDependencies } from './http/route.js';
import { openApiRouter } from './openapi/openapi.router.js';
import { API_ROUTES } from './api-routes.js';

/** What the app needs: the routes' dependencies, and what the gates and ops endpoints use. */
export interface AppDependencies extends Omit<RouteDependencies, 'settings'> {
  authenticator: Authenticator;
  registry: Registry;
  ops: OpsEndpointsOptions;
  logger: Logger;
  settings: RouteDependencies['settings'] & { trustProxyHops: number };
}

export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', deps.settings.trustProxyHops);

  app.use(securityHeaders);
  const ops = createOpsHandler(deps.ops);
  app.use((request, response, next) => {
    if (!isOpsRequest(request)) {
      next();
      return;
    }
    ops(request, response).then((handled) => {
      if (!handled) next();
    }, next);
  });

  app.use(correlator);
  app.use(httpMetrics(deps.registry, deps.logger));

  mountRoutes(app, API_ROUTES, {
    authenticator: deps.authenticator,
    deps,
  });
  app.use(openApiRouter());

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
