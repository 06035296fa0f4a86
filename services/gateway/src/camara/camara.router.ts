import { Router, type RequestHandler } from 'express';
import { authorize, principalOf } from '../http/authorize.js';
import type { Authenticator } from '../auth/authenticator.js';
import { SCOPES } from '../auth/scopes.js';
import { acceptsJson, jsonBody, parseBody } from '../http/body.js';
import { methodNotAllowed } from '../http/error-handler.js';
import { forwardedFor } from '../http/forwarded-for.js';
import { sendJson } from '../http/json-response.js';
import { nameRoute } from '../http/http-metrics.js';
import { ApiError } from '@otpflow/errors';
import type { CodeChecker } from '../otp/code-checker.js';
import type { CodeIssuer } from '../otp/code-issuer.js';
import type { Limits } from '../otp/limits.js';
import type { CheckResult } from '../otp/session-store.js';
import type { PolicyStore } from '../policies/policy.store.js';
import { camaraSendRequest } from './camara-request.js';
import { sendCodeBodySchema, validateCodeBodySchema } from './camara.schemas.js';

export interface CamaraRouterOptions {
  authenticator: Authenticator;
  limits: Limits;
  policies: PolicyStore;
  issuer: CodeIssuer;
  checker: CodeChecker;
  bodyLimitBytes: number;
  messageMaxLength: number;
}

/** CAMARA error bodies are exactly `{status, code, message}`: no native `details`. */
const camaraErrors: RequestHandler = (_request, response, next) => {
  response.locals.errorFormat = 'camara';
  next();
};

/** CAMARA answers a check with 204 or one of its error codes. */
function camaraAnswer(outcome: CheckResult): void {
  switch (outcome.kind) {
    case 'verified':
      return;
    case 'wrong':
      throw new ApiError('ONE_TIME_PASSWORD_SMS.INVALID_OTP');
    case 'exhausted':
      throw new ApiError('ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED');
    case 'ended':
      throw new ApiError('ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED');
    case 'not_found':
      throw new ApiError('NOT_FOUND');
  }
}

/**
 * CAMARA OTPValidation: POST /send-code and POST /validate-code. Each request goes through the same
 * gates in the same order: authentication (401) and scope (403), the client's request rate (429),
 * content negotiation (406, 415), the body (400), then the operation.
 */
export function camaraRouter(options: CamaraRouterOptions): Router {
  const router = Router();
  const sendCodeBody = sendCodeBodySchema(options.messageMaxLength);

  const gates = [
    nameRoute,
    camaraErrors,
    authorize(options.authenticator, options.limits, SCOPES.camara),
    acceptsJson,
    ...jsonBody(options.bodyLimitBytes),
  ];

  router.post('/send-code', ...gates, async (request, response) => {
    const body = parseBody(sendCodeBody, request.body);
    const principal = principalOf(response.locals);
    const { policy } = await options.policies.effective(principal.clientId);
    const { ref } = await options.issuer.send(principal, policy, {
      ...camaraSendRequest(policy, body, response.locals.correlator),
      ...forwardedFor(request),
    });
    sendJson(response, 200, { authenticationId: ref.authenticationId });
  });

  router.post('/validate-code', ...gates, async (request, response) => {
    const body = parseBody(validateCodeBodySchema, request.body);
    camaraAnswer(await options.checker.check(principalOf(response.locals), body.authenticationId, body.code));
    response.status(204).end();
  });

  router.all(['/send-code', '/validate-code'], nameRoute, camaraErrors, methodNotAllowed(['POST']));
  return router;
}
