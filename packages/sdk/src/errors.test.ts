import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './client.js';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  OtpflowError,
  PermissionDeniedError,
  RateLimitError,
  retryAfterMs,
} from './errors.js';
import { json, LocalServer } from './testing/local-server.js';

const ID = '2b8a6c1e-0000-4000-8000-000000000001';

describe('errors', () => {
  let server: LocalServer;
  let client: Client;
  beforeAll(async () => {
    server = await LocalServer.start();
    // No retries: each test looks at the error of one answer.
    client = new Client({ bearerToken: 'test-key', baseURL: server.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  const failureOf = async (call: () => Promise<unknown>): Promise<APIError> => {
    const error = await call().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
    return error;
  };

  it.each([
    [400, 'ONE_TIME_PASSWORD_SMS.INVALID_OTP', BadRequestError],
    [401, 'UNAUTHENTICATED', AuthenticationError],
    [403, 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED', PermissionDeniedError],
    [404, 'NOT_FOUND', NotFoundError],
    [409, 'IDEMPOTENCY_CONFLICT', ConflictError],
    [429, 'QUOTA_EXCEEDED', RateLimitError],
    [500, 'INTERNAL', InternalServerError],
    [503, 'UNAVAILABLE', InternalServerError],
  ] as const)('maps %i %s to %o, with the body and headers', async (status, code, errorClass) => {
    server.respond(
      json(status, { status, code, message: `message of ${code}` }, { 'x-correlator': 'corr-9' }),
    );
    const error = await failureOf(() =>
      client.otpvalidation.validateCode({ authenticationId: ID, code: '000000' }),
    );
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(OtpflowError);
    expect(error).toMatchObject({ status, code, message: `message of ${code}`, details: undefined });
    expect(error.headers?.get('x-correlator')).toBe('corr-9');
    expect(error.correlator).toBe('corr-9');
    expect(error.name).toBe(errorClass.name);
  });

  it('keeps the native API details', async () => {
    const body = {
      status: 400,
      code: 'OUT_OF_RANGE',
      message: 'maxAttempts: must be within 1..10 for this client.',
      details: { field: 'maxAttempts' },
    };
    server.respond(json(400, body));
    const error = await failureOf(() => client.verifications.create({ to: '+34612345678', maxAttempts: 15 }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({
      code: 'OUT_OF_RANGE',
      message: body.message,
      details: { field: 'maxAttempts' },
    });
  });

  it('gives RateLimitError the Retry-After seconds', async () => {
    server.respond(
      json(
        429,
        { status: 429, code: 'TOO_MANY_REQUESTS', message: 'Rate limit reached.' },
        { 'retry-after': '7' },
      ),
    );
    const error = await failureOf(() => client.verifications.resend(ID));
    if (!(error instanceof RateLimitError)) throw new Error(`expected a RateLimitError, got ${error.name}`);
    expect(error.retryAfter).toBe(7);

    server.respond(json(429, { status: 429, code: 'TOO_MANY_REQUESTS', message: 'Rate limit reached.' }));
    const withoutHeader = await failureOf(() => client.verifications.resend(ID));
    expect(withoutHeader).toBeInstanceOf(RateLimitError);
    expect(withoutHeader instanceof RateLimitError && withoutHeader.retryAfter).toBeUndefined();
  });

  it('makes a useful APIError of a body that is not JSON', async () => {
    server.respond((_request, response) => {
      response.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
      response.end('<html>\n  <body>upstream connect error</body>\n</html>');
    });
    const error = await failureOf(() => client.templates.list());
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, code: undefined });
    expect(error.message).toBe('502 Bad Gateway: <html> <body>upstream connect error</body> </html>');

    server.respond((_request, response) => {
      response.writeHead(413, 'Payload Too Large');
      response.end();
    });
    const empty = await failureOf(() => client.templates.list());
    expect(empty.constructor).toBe(APIError);
    expect(empty).toMatchObject({ status: 413, message: '413 Payload Too Large (no body)' });

    server.respond((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('x'.repeat(1000));
    });
    expect((await failureOf(() => client.templates.list())).message).toBe(
      `500 Internal Server Error: ${'x'.repeat(200)}…`,
    );
  });

  it('makes an APIError of a JSON body that is not an API error', async () => {
    server.respond(json(405, { error: 'nope' }));
    const error = await failureOf(() => client.templates.list());
    expect(error.constructor).toBe(APIError);
    expect(error).toMatchObject({
      status: 405,
      code: undefined,
      message: '405 Method Not Allowed: {"error":"nope"}',
    });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const headers = (value: string) => new Headers({ 'retry-after': value });
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(headers('3'), now)).toBe(3000);
    expect(retryAfterMs(headers('Thu, 01 Jan 2026 00:00:05 GMT'), now)).toBe(5000);
    expect(retryAfterMs(headers('Wed, 31 Dec 2025 23:00:00 GMT'), now)).toBe(0);
    expect(retryAfterMs(headers('soon'), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
