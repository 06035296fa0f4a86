import { randomUUID } from 'node:crypto';
import { ApiError } from '@otpflow/errors';
import type { RequestHandler } from 'express';

/** The CAMARA XCorrelator pattern. Not a unicode-mode regex: `0-9-_` relies on the literal hyphen. */
const X_CORRELATOR = /^[a-zA-Z0-9-_:;./<>{}]{0,256}$/;

/**
 * Runs first on every request, so the header is on every response, errors included. A valid
 * non-empty x-correlator is echoed; a missing or empty one is replaced by a fresh one; a malformed one
 * is a 400 (and is not echoed: it is not trusted text).
 */
export const correlator: RequestHandler = (request, response, next) => {
  const presented = request.headers['x-correlator'];
  if (presented !== undefined && (Array.isArray(presented) || !X_CORRELATOR.test(presented))) {
    response.locals.correlator = randomUUID();
    response.setHeader('x-correlator', response.locals.correlator);
    next(new ApiError('INVALID_ARGUMENT', { message: 'The x-correlator header is malformed.' }));
    return;
  }
  response.locals.correlator = presented && presented.length > 0 ? presented : randomUUID();
  response.setHeader('x-correlator', response.locals.correlator);
  next();
};
