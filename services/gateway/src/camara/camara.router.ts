import { Router, type RequestHandler } from 'express';
import { requireScope, type Authenticator } from '../auth/authenticator.js';
import { SCOPES } from '../auth/scopes.js';
import { acceptsJson, jsonBody, parseBody } from '../http/body.js';
import { methodNotAllowed } from '../http/error-handler.js';
import { nameRoute } from '../http/http-metrics.js';
import type { Limits } from '../otp/limits.js';
import type { VerificationService } from '../otp/verification.service.js';
import { sendCodeBodySchema, validateCodeBodySchema } from './camara.schemas.js';

export interface CamaraRouterOptions {
  authenticator: Authenticator;
  limits: Limits;
  verifications: VerificationService;
  bodyLimitBytes: number;
  messageMaxLength: number;
}

/**
 * CAMARA OTPValidation: POST /send-code and POST /validate-code. Each request goes through the same
 * gates in the same order: authentication (401) and scope (403), the client's request rate (429),
 * content negotiation (406, 415), the body (400), then the operation.
 */
export function camaraRouter(options: CamaraRouterOptions): Router {
  const router = Router();
  const sendCodeBody = sendCodeBodySchema(options.messageMaxLength);

  // Express 5 forwards a rejected promise to the error handler; success must still call next().
  const authorize: RequestHandler = async (request, response, next) => {
    const principal = await options.authenticator.authenticate(request.headers.authorization);
    requireScope(principal, SCOPES.camara);
    await options.limits.checkRequestRate(principal.clientId);
    response.locals.principal = principal;
    next();
  };
  const gates = [nameRoute, authorize, acceptsJson, ...jsonBody(options.bodyLimitBytes)];

  router.post('/send-code', ...gates, async (request, response) => {
    const body = parseBody(sendCodeBody, request.body);
    const result = await options.verifications.sendCode(principalOf(response.locals), {
      phoneNumber: body.phoneNumber,
      message: body.message,
      channel: 'sms',
      correlator: response.locals.correlator,
    });
    response.status(200).json(result);
  });

  router.post('/validate-code', ...gates, async (request, response) => {
    const body = parseBody(validateCodeBodySchema, request.body);
    await options.verifications.validateCode(principalOf(response.locals), body);
    response.status(204).end();
  });

  router.all(['/send-code', '/validate-code'], nameRoute, methodNotAllowed(['POST']));
  return router;
}

function principalOf(locals: Express.Locals) {
  if (!locals.principal) throw new Error('route reached without an authenticated principal');
  return locals.principal;
}
