import { AppError } from './app-error.js';

/**
 * The closed set of API error codes and their HTTP status, in one place. Messages are the CAMARA
 * OTPValidation 1.1.1 / Commonalities examples, so a client comparing text sees what the spec shows.
 */
export const API_ERRORS = {
  INVALID_ARGUMENT: {
    status: 400,
    message: 'Client specified an invalid argument, request body or query param.',
  },
  OUT_OF_RANGE: { status: 400, message: 'Client specified an invalid range.' },
  'ONE_TIME_PASSWORD_SMS.INVALID_OTP': {
    status: 400,
    message: 'The provided OTP is not valid for this authenticationId',
  },
  'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED': {
    status: 400,
    message:
      'The maximum number of attempts for this authenticationId was exceeded without providing a valid OTP',
  },
  'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED': {
    status: 400,
    message: 'The authenticationId is no longer valid',
  },
  UNAUTHENTICATED: {
    status: 401,
    message: 'Request not authenticated due to missing, invalid, or expired credentials.',
  },
  PERMISSION_DENIED: {
    status: 403,
    message: 'Client does not have sufficient permissions to perform this action.',
  },
  'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED': {
    status: 403,
    message: 'Too many OTPs have been requested for this MSISDN. Try later.',
  },
  'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED': {
    status: 403,
    message: "Phone_number can't receive an SMS due to business reasons in the operator.",
  },
  'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED': {
    status: 403,
    message: 'Phone_number is blocked to receive SMS due to any blocking business reason in the operator.',
  },
  /**
   * The native API's answers of the fraud guard (CAMARA answers PHONE_NUMBER_NOT_ALLOWED instead):
   * a risk decision, temporary (Retry-After), that names no signal an attacker could tune to.
   */
  FRAUD_BLOCKED: {
    status: 403,
    message: 'The request was refused by a risk decision. It is temporary: try again after Retry-After.',
  },
  NOT_FOUND: { status: 404, message: 'The specified resource is not found.' },
  METHOD_NOT_ALLOWED: {
    status: 405,
    message: 'The requested method is not allowed/supported on the target resource.',
  },
  NOT_ACCEPTABLE: {
    status: 406,
    message:
      'The server cannot produce a response matching the content requested by the client through `Accept-*` headers.',
  },
  CONFLICT: { status: 409, message: 'A specified resource duplicate entry found.' },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    message: 'This Idempotency-Key was used with a different request, or its first request is still running.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message:
      'The server refuses to accept the request because the payload format is in an unsupported format.',
  },
  QUOTA_EXCEEDED: { status: 429, message: 'Out of resource quota.' },
  TOO_MANY_REQUESTS: { status: 429, message: 'Rate limit reached.' },
  FRAUD_THROTTLED: {
    status: 429,
    message: 'The request was slowed down by a risk decision: try again after Retry-After.',
  },
  INTERNAL: { status: 500, message: 'Unknown server error. Typically a server bug.' },
  UNAVAILABLE: { status: 503, message: 'Service Unavailable.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/**
 * The body every API error is rendered as: `{status, code, message}` (CAMARA ErrorInfo). The native API
 * adds `details` (the offending field, attempts remaining) where it helps; CAMARA errors never carry it.
 */
export interface ApiErrorBody {
  status: number;
  code: ApiErrorCode;
  message: string;
  details?: ApiErrorDetails;
}

export interface ApiErrorDetails {
  /** The request field at fault, as a dotted path: `code.length`, `template.variables.name`. */
  field?: string;
  attemptsRemaining?: number;
}

/** An error meant for the API client. Throw it anywhere in a request; the error middleware renders it. */
export class ApiError extends AppError {
  override readonly name = 'ApiError';
  declare readonly code: ApiErrorCode;
  readonly status: number;
  /** Seconds a client should wait before trying again (429), sent as `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;
  readonly details: ApiErrorDetails | undefined;

  constructor(
    code: ApiErrorCode,
    options: {
      message?: string;
      context?: Record<string, unknown>;
      cause?: unknown;
      retryAfterSeconds?: number;
      details?: ApiErrorDetails;
    } = {},
  ) {
    super(code, options.message ?? API_ERRORS[code].message, {
      context: options.context,
      cause: options.cause,
    });
    this.status = API_ERRORS[code].status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  toBody(): ApiErrorBody {
    return {
      status: this.status,
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}
