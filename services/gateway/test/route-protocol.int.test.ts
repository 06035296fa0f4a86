import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../src/api-routes.js';
import { SCOPES, type Scope } from '../src/auth/scopes.js';
import { listOperations, type ListedOperation } from '../src/http/route.js';
import {
  ADMIN_KEY,
  CLIENT_A_KEY,
  startHarness,
  TEMPLATES_KEY,
  type GatewayHarness,
} from './gateway-harness.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const UNKNOWN_ENDPOINT_ID = 'ep_protocolsuite001';
const CORRELATOR = 'protocol-suite-0001';

/** A key of a client that holds the scope, to reach the gates after authorization. */
const KEY_WITH_SCOPE: Record<Scope, string> = {
  [SCOPES.camara]: CLIENT_A_KEY,
  [SCOPES.verifications]: CLIENT_A_KEY,
  [SCOPES.templates]: TEMPLATES_KEY,
  [SCOPES.admin]: ADMIN_KEY,
};

/** A concrete path for a template: ids that exist nowhere, or a template, client and fraud rule of the suite's. */
function samplePath(template: string): string {
  const id = template.startsWith('/v1/templates/')
    ? 'protocol-suite'
    : template.startsWith('/v1/webhooks/')
      ? UNKNOWN_ENDPOINT_ID
      : UNKNOWN_ID;
  return template
    .replace('{id}', id)
    .replace('{locale}', 'en')
    .replace('{clientId}', 'client-b')
    .replace('{scope}', '*')
    .replace('{target}', '%2B34600');
}

const OPERATIONS = listOperations(API_ROUTES);

/** Every method the table serves on a template, for the 405's `Allow`. */
function methodsOf(template: string): string[] {
  return OPERATIONS.filter((operation) => operation.template === template)
    .map((operation) => operation.method)
    .sort();
}

interface Answer {
  status: number;
  headers: Headers;
  body: { status?: number; code?: string; message?: string; details?: unknown } | undefined;
}

/**
 * The HTTP rules every route of the table keeps, whatever it does: authentication before anything of
 * the request is read, x-correlator checked and echoed, 405 with `Allow` for the methods its path
 * lacks, 406 for a client that accepts no JSON, and for a route with a body, 415 for another media
 * type, 400 for a missing (unless optional) or oversized body. Errors in the API's format: CAMARA's
 * exactly `{status, code, message}`.
 */
function routeProtocolSuite(harness: () => GatewayHarness, operation: ListedOperation): void {
  const name = `${operation.method} ${operation.template}`;
  const path = samplePath(operation.template);
  const key = KEY_WITH_SCOPE[operation.scope];
  const body = operation.route.body;

  const send = async (
    init: { method?: string; headers?: Record<string, string>; body?: string },
    withKey = true,
  ): Promise<Answer> => {
    const response = await fetch(`${harness().url}${path}`, {
      method: init.method ?? operation.method,
      headers: { ...(withKey ? { authorization: `Bearer ${key}` } : {}), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Answer['body']) : undefined,
    };
  };
  const expectError = (answer: Answer, status: number, code: string) => {
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    expect(answer.body).toMatchObject({ status, code });
    if (operation.api === 'camara')
      expect(Object.keys(answer.body ?? {}).sort()).toEqual(['code', 'message', 'status']);
  };

  it(`${name}: 401 without a credential, in the API's format, echoing the x-correlator`, async () => {
    const answer = await send({ headers: { 'x-correlator': CORRELATOR } }, false);
    expectError(answer, 401, 'UNAUTHENTICATED');
    expect(answer.headers.get('x-correlator')).toBe(CORRELATOR);
  });

  it(`${name}: 400 for a malformed x-correlator, before authentication, not echoed`, async () => {
    const answer = await send({ headers: { 'x-correlator': 'has space' } }, false);
    expectError(answer, 400, 'INVALID_ARGUMENT');
    expect(answer.headers.get('x-correlator')).not.toBe('has space');
  });

  it(`${name}: 405 with Allow for a method its path does not take`, async () => {
    const unserved =
      ['PATCH', 'PUT'].find((method) => !methodsOf(operation.template).includes(method)) ?? 'PATCH';
    const answer = await send({ method: unserved, headers: { 'x-correlator': CORRELATOR } });
    expectError(answer, 405, 'METHOD_NOT_ALLOWED');
    const allow = (answer.headers.get('allow') ?? '').split(',').map((method) => method.trim());
    expect(allow.sort()).toEqual(methodsOf(operation.template));
    expect(answer.headers.get('x-correlator')).toBe(CORRELATOR);
  });

  it(`${name}: 406 for a client that accepts no JSON`, async () => {
    expectError(await send({ headers: { accept: 'text/plain' } }), 406, 'NOT_ACCEPTABLE');
  });

  if (!body) return;

  it(`${name}: 415 for a body that is not JSON`, async () => {
    const answer = await send({ headers: { 'content-type': 'text/plain' }, body: 'not json' });
    expectError(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it(`${name}: 400 for a body over the limit, before it is read`, async () => {
    const limit = harness().config.BODY_LIMIT_BYTES;
    const oversized = JSON.stringify({ padding: 'x'.repeat(limit) });
    const answer = await send({ headers: { 'content-type': 'application/json' }, body: oversized });
    expectError(answer, 400, 'INVALID_ARGUMENT');
    expect(answer.body?.message).toBe('The request body is too large.');
  });

  it(`${name}: ${body.optional ? 'takes no body' : '400 without a body'}`, async () => {
    const answer = await send({});
    if (body.optional) expect(answer.status, JSON.stringify(answer.body)).not.toBe(400);
    else expectError(answer, 400, 'INVALID_ARGUMENT');
  });
}

describe('the protocol of every route in the table', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('route-protocol');
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('declares each operation once: no two share a method and path, or an operation id', () => {
    const names = OPERATIONS.map((operation) => `${operation.method} ${operation.template}`);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(OPERATIONS.map((operation) => operation.operationId)).size).toBe(OPERATIONS.length);
  });

  for (const operation of OPERATIONS) routeProtocolSuite(() => harness, operation);
});
