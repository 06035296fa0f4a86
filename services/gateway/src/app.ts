import type { OpsEndpointsOptions } from '@otpflow/lifecycle';
import { createOpsHandler, isOpsRequest } from '@otpflow/lifecycle';
import type { DeliveryModel } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Authenticator } from './auth/authenticator.js';
import { correlator } from './http/correlator.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { httpMetrics } from './http/http-metrics.js';
import { securityHeaders } from './http/security-headers.js';
import type { IdempotencyStore } from './http/idempotency.js';
import './http/locals.js';
import { mountRoutes } from './http/mount-routes.js';
import { openApiRouter } from './openapi/openapi.router.js';
import { API_ROUTES } from './api-routes.js';
import type { CodeChecker } from './otp/code-checker.js';
import type { CodeIssuer } from './otp/code-issuer.js';
import type { Limits } from './otp/limits.js';
import type { PolicyStore } from './policies/policy.store.js';
import type { TemplateStore } from './templates/template.store.js';

export interface AppDependencies {
  authenticator: Authenticator;
  limits: Limits;
  policies: PolicyStore;
  templates: TemplateStore;
  issuer: CodeIssuer;
  checker: CodeChecker;
  deliveries: DeliveryModel;
  idempotency: IdempotencyStore;
  registry: Registry;
  ops: OpsEndpointsOptions;
  logger: Logger;
  settings: { bodyLimitBytes: number; messageMaxLength: number; trustProxyHops: number };
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

  const { bodyLimitBytes, messageMaxLength } = deps.settings;
  mountRoutes(app, API_ROUTES, {
    authenticator: deps.authenticator,
    deps: { ...deps, settings: { bodyLimitBytes, messageMaxLength } },
  });
  app.use(openApiRouter());

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
