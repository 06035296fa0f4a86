import { ApiError } from '@otpflow/errors';
import express, { type RequestHandler } from 'express';
import type { z } from 'zod';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** 406 when the client accepts no JSON (every answer of this API is JSON or empty). */
export const acceptsJson: RequestHandler = (request, _response, next) => {
  next(request.accepts('application/json') ? undefined : new ApiError('NOT_ACCEPTABLE'));
};

/**
 * The JSON body, strictly: 415 for another media type, 400 for a missing, malformed or oversized body
 * (the size limit is checked against Content-Length before a byte is read). An `optional` body may be
 * left out entirely and reads as `{}`.
 */
export function jsonBody(
  limitBytes: number,
  { optional = false }: { optional?: boolean } = {},
): RequestHandler[] {
  const requireJsonType: RequestHandler = (request, _response, next) => {
    const hasBody =
      request.headers['transfer-encoding'] !== undefined ||
      Number(request.headers['content-length'] ?? 0) > 0;
    if (!hasBody && optional) {
      request.body = {};
      next();
    } else if (!hasBody) {
      next(new ApiError('INVALID_ARGUMENT', { message: 'A JSON request body is required.' }));
    } else if (!request.is(JSON_TYPES)) {
      next(new ApiError('UNSUPPORTED_MEDIA_TYPE'));
    } else {
      next();
    }
  };
  return [requireJsonType, express.json({ limit: limitBytes, strict: true, type: JSON_TYPES })];
}

/** Maps body-parser failures to API errors; anything else passes through. */
export function bodyParserError(error: unknown): ApiError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error) || typeof error.type !== 'string')
    return undefined;
  switch (error.type) {
    case 'entity.too.large':
      return new ApiError('INVALID_ARGUMENT', { message: 'The request body is too large.' });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE');
    case 'entity.parse.failed':
      return new ApiError('INVALID_ARGUMENT', { message: 'The request body is not valid JSON.' });
    default:
      return new ApiError('INVALID_ARGUMENT');
  }
}

/** Validates a parsed body; the 400 names the first offending field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const field = issue?.path.map(String).join('.') ?? '';
  throw new ApiError('INVALID_ARGUMENT', {
    message: `${API_INVALID_PREFIX}${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}.`,
    ...(field ? { details: { field } } : {}),
  });
}

const API_INVALID_PREFIX = 'Client specified an invalid argument, request body or query param. ';
