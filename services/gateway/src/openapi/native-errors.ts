import { errorResponse } from './error-response.js';

type JsonObject = Record<string, unknown>;

/**
 * The native API's errors in its OpenAPI document: the error body (CAMARA's ErrorInfo and `details`)
 * and one response component per status, with the codes it may carry. The routes refer to them
 * (native-paths.ts); the codes themselves are `@otpflow/errors`'.
 */
export const NATIVE_ERROR_INFO: JsonObject = {
  type: 'object',
  description: 'CAMARA ErrorInfo, plus `details` naming the field at fault or the attempts remaining.',
  properties: {
    status: { type: 'integer' },
    code: { type: 'string' },
    message: { type: 'string' },
    details: {
      type: 'object',
      properties: { field: { type: 'string' }, attemptsRemaining: { type: 'integer' } },
      additionalProperties: false,
    },
  },
  required: ['status', 'code', 'message'],
  additionalProperties: false,
};

export const NATIVE_ERRORS: Record<string, { status: number; description: string; codes: string[] }> = {
  NativeBadRequest: {
    status: 400,
    description: 'Bad input: body, path, query or a malformed x-correlator; details.field names the field',
    codes: ['INVALID_ARGUMENT', 'OUT_OF_RANGE'],
  },
  NativeUnauthenticated: {
    status: 401,
    description: 'Missing, invalid or expired credentials',
    codes: ['UNAUTHENTICATED'],
  },
  NativeForbidden: {
    status: 403,
    description:
      'Missing scope; refused by the client policy or the number policy; or too many codes for the number (the caps per client and per MSISDN, the lockout after VERIFICATION_FAILED); or a risk decision of the fraud guard (FRAUD_BLOCKED, with Retry-After)',
    codes: [
      'PERMISSION_DENIED',
      'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED',
      'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED',
      'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED',
      'FRAUD_BLOCKED',
    ],
  },
  NativeNotFound: { status: 404, description: 'No such resource for this client', codes: ['NOT_FOUND'] },
  NativeMethodNotAllowed: { status: 405, description: 'Method not allowed', codes: ['METHOD_NOT_ALLOWED'] },
  NativeNotAcceptable: { status: 406, description: 'The client accepts no JSON', codes: ['NOT_ACCEPTABLE'] },
  NativeConflict: {
    status: 409,
    description: 'Ended verification, or Idempotency-Key reuse',
    codes: ['CONFLICT', 'IDEMPOTENCY_CONFLICT'],
  },
  NativeUnsupportedMediaType: {
    status: 415,
    description: 'The body is not JSON',
    codes: ['UNSUPPORTED_MEDIA_TYPE'],
  },
  NativeTooManyRequests: {
    status: 429,
    description:
      'Rate, quota, the resend interval between two codes for a number (creates and resends), or a fraud guard throttle',
    codes: ['TOO_MANY_REQUESTS', 'QUOTA_EXCEEDED', 'FRAUD_THROTTLED'],
  },
  NativeUnavailable: {
    status: 503,
    description: 'A dependency is down: retry later',
    codes: ['UNAVAILABLE'],
  },
};

/** The response components, named as the operations refer to them. */
export function nativeResponses(): Record<string, JsonObject> {
  return Object.fromEntries(
    Object.entries(NATIVE_ERRORS).map(([name, error]) => [
      name,
      errorResponse({ ...error, info: 'NativeErrorInfo' }),
    ]),
  );
}
