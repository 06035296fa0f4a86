import { ApiError } from '@otpflow/errors';
import { SCOPES } from '../auth/scopes.js';
import { sendJson } from '../http/json-response.js';
import { forwardedFor } from '../http/forwarded-for.js';
import { defineRoute, type RouteGroup } from '../http/route.js';
import type { CheckResult } from '../otp/session-store.js';
import { camaraSendRequest } from './camara-request.js';
import { sendCodeBodySchema, validateCodeBodySchema } from './camara.schemas.js';

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

const sendCode = defineRoute({
  operationId: 'sendCode',
  method: 'POST',
  path: '/send-code',
  scope: SCOPES.camara,
  summary: 'Send an SMS with a one-time code',
  body: { schema: (settings) => sendCodeBodySchema(settings.messageMaxLength) },
  responses: [{ status: 200, description: 'The code was sent' }],
  handle:
    ({ policies, issuer }) =>
    async ({ request, principal, body, response }) => {
      const { policy } = await policies.effective(principal.clientId);
      const { ref } = await issuer.send(principal, policy, {
        ...camaraSendRequest(policy, body, response.locals.correlator),
        ...forwardedFor(request),
      });
      sendJson(response, 200, { authenticationId: ref.authenticationId });
    },
});

const validateCode = defineRoute({
  operationId: 'validateCode',
  method: 'POST',
  path: '/validate-code',
  scope: SCOPES.camara,
  summary: 'Validate a one-time code',
  body: { schema: validateCodeBodySchema },
  responses: [{ status: 204, description: 'The code is valid' }],
  handle:
    ({ checker }) =>
    async ({ principal, body, response }) => {
      camaraAnswer(await checker.check(principal, body.authenticationId, body.code));
      response.status(204).end();
    },
});

/**
 * CAMARA OTPValidation: POST /send-code and POST /validate-code, at the spec's server path and at the
 * one the seed SDK and docs use. Its OpenAPI operations are the published spec's, not generated.
 */
export const CAMARA_ROUTES: RouteGroup = {
  api: 'camara',
  mounts: [
    { prefix: '/one-time-password-sms/v1', operationSuffix: '' },
    { prefix: '/otpvalidation', operationSuffix: 'AtOtpvalidation' },
  ],
  routes: [sendCode, validateCode],
};
