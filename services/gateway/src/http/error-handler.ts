import { ApiError, DependencyUnavailableError } from '@otpflow/errors';
import { isMongoUnavailableError } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { bodyParserError } from './body.js';
import { sendJson } from './json-response.js';

/** Turns anything thrown during a request into an API error; only real bugs become 500. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const fromBodyParser = bodyParserError(error);
  if (fromBodyParser) return fromBodyParser;
  if (error instanceof DependencyUnavailableError || isMongoUnavailableError(error)) {
    return new ApiError('UNAVAILABLE', { retryAfterSeconds: 1, cause: error });
  }
  if (isClientHttpError(error)) return new ApiError('INVALID_ARGUMENT', { cause: error });
  return new ApiError('INTERNAL', { cause: error });
}

/**
 * A 4xx that express, its router or body-parser raised about the request itself: a body that does not
 * match its Content-Encoding (an http-errors error marked `expose`), or a path parameter that is not
 * valid percent-encoding (the router sets status 400 on the URIError but does not mark it `expose`).
 * Their messages are not ours, so only the status class is kept.
 */
function isClientHttpError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  const isClientStatus = typeof status === 'number' && status >= 400 && status < 500;
  return isClientStatus && (expose === true || error instanceof URIError);
}

/** The one place errors are rendered, as CAMARA's `{status, code, message}`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const apiError = toApiError(error);
    response.locals.errorCode = apiError.code;
    if (apiError.status >= 500) {
      const log = apiError.code === 'INTERNAL' ? logger.error.bind(logger) : logger.warn.bind(logger);
      log(
        { err: apiError.cause ?? apiError, correlator: response.locals.correlator, method: request.method },
        'request failed',
      );
    }
    // An error is never cached, even on a path whose documents are (a missing /docs asset).
    response.setHeader('Cache-Control', 'no-store');
    if (apiError.retryAfterSeconds !== undefined)
      response.setHeader('Retry-After', String(apiError.retryAfterSeconds));
    const { details, ...camaraBody } = apiError.toBody();
    const body =
      response.locals.errorFormat === 'camara' || !details ? camaraBody : { ...camaraBody, details };
    sendJson(response, apiError.status, body);
  };
}

/** 404 for any path the API does not have. */
export const notFound: RequestHandler = (_request, _response, next) => {
  next(new ApiError('NOT_FOUND'));
};

/** 405 for a method a path does not take, with the Allow header HTTP asks for. */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return (_request, response, next) => {
    response.setHeader('Allow', allowed.join(', '));
    next(new ApiError('METHOD_NOT_ALLOWED'));
  };
}
