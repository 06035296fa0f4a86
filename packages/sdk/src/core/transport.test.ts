import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../client.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  BadRequestError,
  InternalServerError,
  RateLimitError,
} from '../errors.js';
import { drop, hang, json, LocalServer } from '../testing/local-server.js';

const ID = '2b8a6c1e-0000-4000-8000-000000000001';
const VERIFICATION = { id: ID, status: 'queued' };
const UNAVAILABLE = { status: 503, code: 'UNAVAILABLE', message: 'Service Unavailable.' };

describe('transport: retries, timeouts, headers', () => {
  let server: LocalServer;
  let client: Client;
  beforeAll(async () => {
    server = await LocalServer.start();
    client = new Client({ bearerToken: 'test-key', baseURL: server.url, timeout: 2000 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('retries a safe call on 503 with backoff, then answers', async () => {
    server.respond(json(503, UNAVAILABLE), json(503, UNAVAILABLE), json(200, VERIFICATION));
    const started = Date.now();
    await expect(client.verifications.retrieve(ID)).resolves.toEqual(VERIFICATION);
    expect(server.requests).toHaveLength(3);
    // 500 ms then 1000 ms, less up to a quarter of jitter each.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1100);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    server.respond(json(500, { status: 500, code: 'INTERNAL', message: 'Unknown server error.' }));
    const error = await client.templates.list({ maxRetries: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(server.requests).toHaveLength(2);
  });

  it('retries on 429 too, and honours Retry-After as the least wait', async () => {
    server.respond(
      json(
        429,
        { status: 429, code: 'TOO_MANY_REQUESTS', message: 'Rate limit reached.' },
        { 'retry-after': '1' },
      ),
      json(204),
    );
    const started = Date.now();
    await client.admin.policies.delete('client-a');
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('does not wait out a Retry-After longer than a minute: the RateLimitError says how long', async () => {
    server.respond(
      json(
        429,
        { status: 429, code: 'QUOTA_EXCEEDED', message: 'Out of resource quota.' },
        { 'retry-after': '3600' },
      ),
      json(200, VERIFICATION),
    );
    const error = await client.verifications.retrieve(ID).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error instanceof RateLimitError && error.retryAfter).toBe(3600);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    [
      'otpvalidation.sendCode',
      () => client.otpvalidation.sendCode({ message: '{{code}}', phoneNumber: '+34612345678' }),
    ],
    [
      'otpvalidation.validateCode',
      () => client.otpvalidation.validateCode({ authenticationId: ID, code: '123456' }),
    ],
    ['verifications.check', () => client.verifications.check(ID, { code: '123456' })],
    ['verifications.resend', () => client.verifications.resend(ID)],
    [
      'verifications.create without an idempotency key',
      () => client.verifications.create({ to: '+34612345678' }),
    ],
  ])('never retries %s: it would send a code or spend an attempt again', async (_name, call) => {
    server.respond(json(503, UNAVAILABLE, { 'retry-after': '0' }), json(200, {}));
    await expect(call()).rejects.toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  it('never retries sendCode, whatever maxRetries the call asks for', async () => {
    server.respond(drop, json(200, { authenticationId: ID }));
    await expect(
      client.otpvalidation.sendCode({ message: '{{code}}', phoneNumber: '+34612345678' }, { maxRetries: 5 }),
    ).rejects.toBeInstanceOf(APIConnectionError);
    expect(server.requests).toHaveLength(1);
  });

  it('retries verifications.create when it has an idempotency key, with the same key', async () => {
    server.respond(json(503, UNAVAILABLE), json(201, VERIFICATION));
    const created = await client.verifications.create({ to: '+34612345678' }, { idempotencyKey: 'order-1' });
    expect(created).toEqual(VERIFICATION);
    expect(server.requests.map((request) => request.headers['idempotency-key'])).toEqual([
      'order-1',
      'order-1',
    ]);
    expect(server.requests.map((request) => request.body)).toEqual([
      '{"to":"+34612345678"}',
      '{"to":"+34612345678"}',
    ]);
  });

  it('does not retry other client errors', async () => {
    server.respond(json(400, { status: 400, code: 'INVALID_ARGUMENT', message: 'bad' }), json(200, {}));
    await expect(client.verifications.retrieve(ID)).rejects.toBeInstanceOf(BadRequestError);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a safe call whose connection broke without an answer', async () => {
    server.respond(drop, json(200, VERIFICATION));
    await expect(client.verifications.cancel(ID)).resolves.toEqual(VERIFICATION);
    expect(server.requests).toHaveLength(2);
  });

  it('gives each attempt the timeout, and throws APIConnectionTimeoutError when none answers', async () => {
    server.respond(hang);
    const started = Date.now();
    const error = await client.verifications
      .retrieve(ID, { timeout: 100, maxRetries: 1 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toBe('Request timed out after 100 ms.');
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 100 + 375);
  });

  it('retries after a timeout only when the call is safe to repeat', async () => {
    server.respond(hang, json(200, { authenticationId: ID }));
    await expect(
      client.otpvalidation.sendCode({ message: '{{code}}', phoneNumber: '+34612345678' }, { timeout: 100 }),
    ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    expect(server.requests).toHaveLength(1);

    server.respond(hang, json(200, VERIFICATION));
    await expect(client.verifications.retrieve(ID, { timeout: 100 })).resolves.toEqual(VERIFICATION);
    expect(server.requests).toHaveLength(2);
  });

  it('uses the client timeout by default', async () => {
    const quick = new Client({ bearerToken: 'test-key', baseURL: server.url, timeout: 150, maxRetries: 0 });
    server.respond(hang);
    await expect(quick.templates.list()).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('stops at once, retries included, when the caller aborts', async () => {
    server.respond(json(503, UNAVAILABLE, { 'retry-after': '30' }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(client.verifications.retrieve(ID, { signal: controller.signal })).rejects.toBeInstanceOf(
      APIUserAbortError,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);

    server.respond(hang);
    await expect(client.templates.list({ signal: AbortSignal.timeout(50) })).rejects.toBeInstanceOf(
      APIUserAbortError,
    );
  });

  it('reports a gateway that cannot be reached as APIConnectionError, with the cause', async () => {
    const closed = await LocalServer.start();
    await closed.close();
    const unreachable = new Client({ bearerToken: 'test-key', baseURL: closed.url, maxRetries: 0 });
    const error = await unreachable.verifications.retrieve(ID).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toMatchObject({ status: undefined, code: undefined, headers: undefined });
    expect((error as Error).message).toMatch(/^Connection error: .*ECONNREFUSED/);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('sends the bearer token, JSON headers, x-correlator and Idempotency-Key', async () => {
    server.respond(json(200, { authenticationId: ID }));
    await client.otpvalidation.sendCode({
      message: '{{code}}',
      phoneNumber: '+34612345678',
      xCorrelator: 'corr-1',
    });
    expect(server.last.headers).toMatchObject({
      authorization: 'Bearer test-key',
      accept: 'application/json',
      'content-type': 'application/json',
      'x-correlator': 'corr-1',
    });
    expect(server.last.headers['idempotency-key']).toBeUndefined();

    server.respond(json(201, VERIFICATION));
    await client.verifications.create({ to: '+34612345678' }, { idempotencyKey: 'order-2' });
    expect(server.last.headers['idempotency-key']).toBe('order-2');
    expect(server.last.headers['x-correlator']).toBeUndefined();

    server.respond(json(200, VERIFICATION));
    await client.verifications.retrieve(ID, { headers: { 'X-Correlator': 'from-options' } });
    expect(server.last.headers['x-correlator']).toBe('from-options');
    // No body, so no content type.
    expect(server.last.headers['content-type']).toBeUndefined();
  });

  it('refuses a 2xx answer that is not JSON', async () => {
    server.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>login page</html>');
    });
    await expect(client.templates.list()).rejects.toThrow(/not JSON: <html>login page<\/html>/);
  });
});
