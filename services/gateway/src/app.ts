import type { OpsEndpointsOptions } from '@otpflow/lifecycle';
import { createOpsHandler } from '@otpflow/lifecycle';
import type { Logger } from '@otpflow/telemetry';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Authenticator } from './auth/authenticator.js';
import { camaraRouter } from './camara/camara.router.js';
import { correlator } from './http/correlator.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { httpMetrics } from './http/http-metrics.js';
import './http/locals.js';
import type { Limits } from './otp/limits.js';
import type { VerificationService } from './otp/verification.service.js';

export interface AppDependencies {
  authenticator: Authenticator;
  limits: Limits;
  verifications: VerificationService;
  registry: Registry;
  ops: OpsEndpointsOptions;
  logger: Logger;
  settings: { bodyLimitBytes: number; messageMaxLength: number; trustProxyHops: number };
}

/** CAMARA's paths: the spec's server path, and the one the seed SDK and docs use. */
export const CAMARA_MOUNTS = ['/one-time-password-sms/v1', '/otpvalidation'] as const;

export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', deps.settings.trustProxyHops);

  const ops = createOpsHandler(deps.ops);
  app.use((request, response, next) => {
    ops(request, response).then((handled) => {
      if (!handled) next();
    }, next);
  });

  app.use(correlator);
  app.use(httpMetrics(deps.registry, deps.logger));

  const camara = camaraRouter({
    authenticator: deps.authenticator,
    limits: deps.limits,
    verifications: deps.verifications,
    bodyLimitBytes: deps.settings.bodyLimitBytes,
    messageMaxLength: deps.settings.messageMaxLength,
  });
  for (const mount of CAMARA_MOUNTS) app.use(mount, camara);

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
