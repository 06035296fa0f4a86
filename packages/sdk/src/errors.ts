/**
 * The codes otpflow answers with (shared/errors/src/api-errors.ts). `APIError.code` may still hold a
 * code this list does not know yet: a newer gateway must not break an older SDK.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'OUT_OF_RANGE'
  | 'ONE_TIME_PASSWORD_SMS.INVALID_OTP'
  | 'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED'
  | 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED'
  | 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED'
  | 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED'
  | 'FRAUD_BLOCKED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_ACCEPTABLE'
  | 'CONFLICT'
  | 'IDEMPOTENCY_CONFLICT'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'QUOTA_EXCEEDED'
  | 'TOO_MANY_REQUESTS'
  | 'FRAUD_THROTTLED'
  | 'INTERNAL'
  | 'UNAVAILABLE';

/** What the native API adds to an error (CAMARA errors never carry it). */
export interface ErrorDetails {
  /** The request field at fault, as a dotted path: `code.length`, `template.variables.name`. */
  field?: string;
  attemptsRemaining?: number;
}

/** The error body of both APIs: CAMARA's ErrorInfo, plus the native API's `details`. */
export interface ErrorBody {
  status: number;
  code: string;
  message: string;
  details?: ErrorDetails;
}

/** Every error this SDK throws, so one `instanceof` catches them all. */
export class OtpflowError extends Error {
  override readonly name: string = 'OtpflowError';
}

/**
 * An API call that failed: with an HTTP status when the gateway answered, without one when it did not
 * (the connection subclasses). The status and headers are type parameters so each subclass says which
 * it has: `NotFoundError` always has a 404 and headers, `APIConnectionError` neither.
 */
export class APIError<
  TStatus extends number | undefined = number | undefined,
  THeaders extends Headers | undefined = Headers | undefined,
> extends OtpflowError {
  override readonly name: string = 'APIError';
  readonly status: TStatus;
  /** The API's error code, e.g. `ONE_TIME_PASSWORD_SMS.INVALID_OTP`; undefined without an API error body. */
  readonly code: ErrorCode | (string & Record<never, never>) | undefined;
  readonly details: ErrorDetails | undefined;
  readonly headers: THeaders;

  constructor(
    status: TStatus,
    headers: THeaders,
    fields: { message: string; code?: string | undefined; details?: ErrorDetails | undefined },
    options?: ErrorOptions,
  ) {
    super(fields.message, options);
    this.status = status;
    this.headers = headers;
    this.code = fields.code;
    this.details = fields.details;
  }

  /** The x-correlator of the failed call, which the gateway logs: quote it when reporting a problem. */
  get correlator(): string | undefined {
    return this.headers?.get('x-correlator') ?? undefined;
  }

  /**
   * The error for an HTTP answer, by status. `body` is the parsed JSON body, or the raw text when the
   * body was not JSON (a proxy's HTML page): the error still says what came back.
   */
  static fromResponse(
    status: number,
    headers: Headers,
    body: unknown,
    statusText = '',
  ): APIError<number, Headers> {
    const fields = errorFields(status, body, statusText);
    if (status === 400) return new BadRequestError(status, headers, fields);
    if (status === 401) return new AuthenticationError(status, headers, fields);
    if (status === 403) return new PermissionDeniedError(status, headers, fields);
    if (status === 404) return new NotFoundError(status, headers, fields);
    if (status === 409) return new ConflictError(status, headers, fields);
    if (status === 429) return new RateLimitError(status, headers, fields);
    if (status >= 500) return new InternalServerError(status, headers, fields);
    return new APIError(status, headers, fields);
  }
}

export class BadRequestError extends APIError<400, Headers> {
  override readonly name: string = 'BadRequestError';
}

export class AuthenticationError extends APIError<401, Headers> {
  override readonly name: string = 'AuthenticationError';
}

export class PermissionDeniedError extends APIError<403, Headers> {
  override readonly name: string = 'PermissionDeniedError';
}

export class NotFoundError extends APIError<404, Headers> {
  override readonly name: string = 'NotFoundError';
}

export class ConflictError extends APIError<409, Headers> {
  override readonly name: string = 'ConflictError';
}

export class RateLimitError extends APIError<429, Headers> {
  override readonly name: string = 'RateLimitError';

  /** Seconds to wait before trying again, from `Retry-After`; undefined when the gateway gave none. */
  get retryAfter(): number | undefined {
    const milliseconds = retryAfterMs(this.headers);
    return milliseconds === undefined ? undefined : Math.ceil(milliseconds / 1000);
  }
}

export class InternalServerError extends APIError<number, Headers> {
  override readonly name: string = 'InternalServerError';
}

/** No answer: the gateway could not be reached, or the connection broke before the answer was read. */
export class APIConnectionError extends APIError<undefined, undefined> {
  override readonly name: string = 'APIConnectionError';

  constructor({ message, cause }: { message?: string; cause?: unknown } = {}) {
    super(
      undefined,
      undefined,
      { message: message ?? `Connection error${describeCause(cause)}.` },
      { cause },
    );
  }
}

/** No answer within the timeout (per attempt). */
export class APIConnectionTimeoutError extends APIConnectionError {
  override readonly name: string = 'APIConnectionTimeoutError';

  constructor({ timeout, cause }: { timeout: number; cause?: unknown }) {
    super({ message: `Request timed out after ${timeout} ms.`, cause });
  }
}

/** The caller aborted the call with its `signal`. */
export class APIUserAbortError extends APIError<undefined, undefined> {
  override readonly name: string = 'APIUserAbortError';

  constructor({ cause }: { cause?: unknown } = {}) {
    super(undefined, undefined, { message: 'Request was aborted.' }, { cause });
  }
}

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when
 * absent or unreadable, so a garbled header falls back to the client's own backoff.
 */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Longest stretch of a non-JSON body quoted in an error message. */
const BODY_SNIPPET_LENGTH = 200;

function errorFields(
  status: number,
  body: unknown,
  statusText: string,
): { message: string; code?: string; details?: ErrorDetails } {
  if (isErrorBody(body)) {
    return { message: body.message, code: body.code, ...(body.details ? { details: body.details } : {}) };
  }
  const head = `${status}${statusText ? ` ${statusText}` : ''}`;
  // Anything else that came back is quoted (whitespace folded, cut short), so the error says what it was.
  const raw = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const text = raw.replace(/\s+/g, ' ').trim();
  if (!text) return { message: `${head} (no body)` };
  return {
    message: `${head}: ${text.length > BODY_SNIPPET_LENGTH ? `${text.slice(0, BODY_SNIPPET_LENGTH)}…` : text}`,
  };
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Record<string, unknown>;
  return (
    typeof candidate.code === 'string' &&
    typeof candidate.message === 'string' &&
    (candidate.details === undefined || (typeof candidate.details === 'object' && candidate.details !== null))
  );
}

/** fetch reports every network failure as "fetch failed": the useful part is its cause. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  const inner: unknown = cause.cause;
  return `: ${inner instanceof Error ? inner.message : cause.message}`;
}
