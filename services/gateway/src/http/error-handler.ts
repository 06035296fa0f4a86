import { ApiError, DependencyUnavailableError } from '@otpflow/errors';
import { isMongoUnavailableError } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { bodyParserError } from './body.js';

/** Turns anything thrown during a request into an API error; only real bugs become 500. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const fromBodyParser = bodyParserError(error);
  if (fromBodyParser) return fromBodyParser;
  if (error instanceof DependencyUnavailableError || isMongoUnavailableError(error)) {
    return new ApiError('UNAVAILABLE', { retryAfterSeconds: 1, cause: error });
  }
  return new ApiError('INTERNAL', { cause: error });
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
    if (apiError.retryAfterSeconds !== undefined)
      response.setHeader('Retry-After', String(apiError.retryAfterSeconds));
    const { details, ...camaraBody } = apiError.toBody();
    response
      .status(apiError.status)
      .json(response.locals.errorFormat === 'camara' || !details ? camaraBody : { ...camaraBody, details });
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
