import type { OpsEndpointsOptions } from '@otpflow/lifecycle';
import { createOpsHandler, isOpsRequest } from '@otpflow/lifecycle';
import type { DeliveryModel } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Authenticator } from './auth/authenticator.js';
import { camaraRouter } from './camara/camara.router.js';
import { correlator } from './http/correlator.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { httpMetrics } from './http/http-metrics.js';
import { securityHeaders } from './http/security-headers.js';
import type { IdempotencyStore } from './http/idempotency.js';
import './http/locals.js';
import { analyticsRouter, listingRouter } from './listing/listing.router.js';
import type { ReadModelReader } from './listing/read-models.reader.js';
import { fraudAdminRouter } from './fraud/fraud-admin.router.js';
import type { FraudStore } from './fraud/fraud-store.js';
import { policiesRouter } from './native/policies.router.js';
import { templatesRouter } from './native/templates.router.js';
import { tenantPolicyRouter } from './native/tenant-policy.router.js';
import { verificationsRouter } from './native/verifications.router.js';
import { webhooksRouter, type WebhooksRouterOptions } from './native/webhooks.router.js';
import { openApiRouter } from './openapi/openapi.router.js';
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
  /** The read models of the events (listing, conversion), which the dispatcher's projector keeps. */
  readModels: ReadModelReader;
  fraud: FraudStore;
  registry: Registry;
  ops: OpsEndpointsOptions;
  logger: Logger;
  settings: { bodyLimitBytes: number; messageMaxLength: number; trustProxyHops: number };
  /** The tenants' status callback endpoints (/v1/webhooks). */
  webhooks: Pick<WebhooksRouterOptions, 'webhooks' | 'jobKeys' | 'allowHttp'>;
}

/** CAMARA's paths: the spec's server path, and the one the seed SDK and docs use. */
export const CAMARA_MOUNTS = ['/one-time-password-sms/v1', '/otpvalidation'] as const;

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
  const camara = camaraRouter({ ...deps, bodyLimitBytes, messageMaxLength });
  for (const mount of CAMARA_MOUNTS) app.use(mount, camara);
  app.use('/v1/verifications', listingRouter(deps));
  app.use('/v1/verifications', verificationsRouter({ ...deps, bodyLimitBytes }));
  app.use('/v1/analytics', analyticsRouter(deps));
  app.use('/v1/templates', templatesRouter({ ...deps, bodyLimitBytes }));
  app.use('/v1/policy', tenantPolicyRouter(deps));
  app.use('/v1/webhooks', webhooksRouter({ ...deps, ...deps.webhooks, bodyLimitBytes }));
  app.use('/v1/admin/policies', policiesRouter({ ...deps, bodyLimitBytes }));
  app.use('/v1/admin/fraud', fraudAdminRouter({ ...deps, bodyLimitBytes }));
  app.use(openApiRouter());

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
