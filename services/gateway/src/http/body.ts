import { ApiError } from '@otpflow/errors';
import express, { type RequestHandler } from 'express';
import type { z } from 'zod';
import { plainJsonLength, readPlainJson } from './read-json.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Accept values that take JSON as they are: no negotiation needed (a missing header accepts anything). */
const PLAIN_ACCEPTS: ReadonlySet<string | undefined> = new Set([undefined, '*/*', 'application/json']);

/** 406 when the client accepts no JSON (every answer of this API is JSON or empty). */
export const acceptsJson: RequestHandler = (request, _response, next) => {
  const takesJson =
    PLAIN_ACCEPTS.has(request.headers.accept) || request.accepts('application/json') !== false;
  next(takesJson ? undefined : new ApiError('NOT_ACCEPTABLE'));
};

/**
 * The JSON body, strictly: 415 for another media type, 400 for a missing, malformed or oversized body
 * (the size limit is checked against Content-Length before a byte is read). An `optional` body may be
 * left out entirely and reads as `{}`. The plain case (UTF-8 JSON of a declared length, which is what
 * clients send) is read in one pass; body-parser reads the rest (charsets, compression, chunks).
 */
export function jsonBody(
  limitBytes: number,
  { optional = false }: { optional?: boolean } = {},
): RequestHandler {
  const parseAnyJson: RequestHandler = express.json({ limit: limitBytes, strict: true, type: JSON_TYPES });
  const readBody: RequestHandler = (request, response, next) => {
    const hasBody =
      request.headers['transfer-encoding'] !== undefined ||
      Number(request.headers['content-length'] ?? 0) > 0;
    const plainLength = hasBody ? plainJsonLength(request, limitBytes) : undefined;
    if (!hasBody && optional) {
      request.body = {};
      next();
    } else if (!hasBody) {
      next(new ApiError('INVALID_ARGUMENT', { message: 'A JSON request body is required.' }));
    } else if (plainLength !== undefined) {
      readPlainJson(request, plainLength).then((body) => {
        request.body = body;
        next();
      }, next);
    } else if (!request.is(JSON_TYPES)) {
      next(new ApiError('UNSUPPORTED_MEDIA_TYPE'));
    } else {
      parseAnyJson(request, response, next);
    }
  };
  return readBody;
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
