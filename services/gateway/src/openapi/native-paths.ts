import { SCOPES, type Scope } from '../auth/scopes.js';
import type { ApiRoute, ComponentSchema, RouteGroup, RouteResponse } from '../http/route.js';
import { pathTemplate } from '../http/route.js';
import { errorResponse } from './error-response.js';
import { jsonSchemaOf as jsonSchema } from './json-schema.js';

type JsonObject = Record<string, unknown>;

/** A component's JSON Schema: a request body is documented as zod reads it (input), an answer as written. */
function componentSchema(component: ComponentSchema, io: 'input' | 'output'): JsonObject {
  return 'schema' in component ? jsonSchema(component.schema, io) : component.json;
}

/** Every named body of the native routes, generated from the very zod schemas the gateway validates with. */
export function nativeSchemas(groups: readonly RouteGroup[]): Record<string, JsonObject> {
  const schemas: Record<string, JsonObject> = {};
  for (const route of nativeRoutes(groups)) {
    const body = route.body;
    if (body?.name && typeof body.schema !== 'function')
      schemas[body.name] = jsonSchema(body.schema, 'input');
    for (const response of route.responses)
      if (response.body) schemas[response.body.name] = componentSchema(response.body, 'output');
  }
  return {
    ...schemas,
    NativeErrorInfo: {
      type: 'object',
      description: 'CAMARA ErrorInfo, plus `details` naming the field at fault or the attempts remaining.',
      properties: {
        status: { type: 'integer' },
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'object',
          properties: { field: { type: 'string' }, attemptsRemaining: { type: 'integer' } },
          additionalProperties: false,
        },
      },
      required: ['status', 'code', 'message'],
      additionalProperties: false,
    },
  };
}

const NATIVE_ERRORS: Record<string, { status: number; description: string; codes: string[] }> = {
  NativeBadRequest: {
    status: 400,
    description: 'Bad input: body, path, query or a malformed x-correlator; details.field names the field',
    codes: ['INVALID_ARGUMENT', 'OUT_OF_RANGE'],
  },
  NativeUnauthenticated: {
    status: 401,
    description: 'Missing, invalid or expired credentials',
    codes: ['UNAUTHENTICATED'],
  },
  NativeForbidden: {
    status: 403,
    description:
      'Missing scope; refused by the client policy or the number policy; or too many codes for the number (the caps per client and per MSISDN, the lockout after VERIFICATION_FAILED); or a risk decision of the fraud guard (FRAUD_BLOCKED, with Retry-After)',
    codes: [
      'PERMISSION_DENIED',
      'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED',
      'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED',
      'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED',
      'FRAUD_BLOCKED',
    ],
  },
  NativeNotFound: { status: 404, description: 'No such resource for this client', codes: ['NOT_FOUND'] },
  NativeMethodNotAllowed: { status: 405, description: 'Method not allowed', codes: ['METHOD_NOT_ALLOWED'] },
  NativeNotAcceptable: { status: 406, description: 'The client accepts no JSON', codes: ['NOT_ACCEPTABLE'] },
  NativeConflict: {
    status: 409,
    description: 'Ended verification, or Idempotency-Key reuse',
    codes: ['CONFLICT', 'IDEMPOTENCY_CONFLICT'],
  },
  NativeUnsupportedMediaType: {
    status: 415,
    description: 'The body is not JSON',
    codes: ['UNSUPPORTED_MEDIA_TYPE'],
  },
  NativeTooManyRequests: {
    status: 429,
    description:
      'Rate, quota, the resend interval between two codes for a number (creates and resends), or a fraud guard throttle',
    codes: ['TOO_MANY_REQUESTS', 'QUOTA_EXCEEDED', 'FRAUD_THROTTLED'],
  },
  NativeUnavailable: {
    status: 503,
    description: 'A dependency is down: retry later',
    codes: ['UNAVAILABLE'],
  },
};

export function nativeResponses(): Record<string, JsonObject> {
  return Object.fromEntries(
    Object.entries(NATIVE_ERRORS).map(([name, error]) => [
      name,
      errorResponse({ ...error, info: 'NativeErrorInfo' }),
    ]),
  );
}

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
/** Every operation: a malformed x-correlator (or path parameter) is a 400 before anything else. */
const common = {
  '400': ref('NativeBadRequest'),
  '401': ref('NativeUnauthenticated'),
  '403': ref('NativeForbidden'),
  '406': ref('NativeNotAcceptable'),
  '429': ref('NativeTooManyRequests'),
  '503': ref('NativeUnavailable'),
};

function nativeRoutes(groups: readonly RouteGroup[]): ApiRoute[] {
  return groups.filter((group) => group.api === 'native').flatMap((group) => group.routes);
}

/** The native API's tags, one per scope: each tag's operations need that scope and no other. */
export const NATIVE_TAGS: Record<
  Exclude<Scope, typeof SCOPES.camara>,
  { name: string; description: string }
> = {
  [SCOPES.verifications]: { name: 'Verifications', description: 'Scope `otpflow:verifications`.' },
  [SCOPES.templates]: {
    name: 'Tenant administration',
    description: "Scope `otpflow:templates`: the calling tenant's own templates and policy, never another's.",
  },
  [SCOPES.admin]: {
    name: 'Platform administration',
    description:
      'Scope `otpflow:admin`: any tenant’s policy, and the fraud guard’s rules. It grants nothing else.',
  },
};

function documentedResponse(response: RouteResponse): JsonObject {
  if (!response.body) return { description: response.description };
  return {
    description: response.description,
    headers: { 'x-correlator': { $ref: '#/components/headers/x-correlator' } },
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${response.body.name}` } } },
  };
}

/** A route's OpenAPI operation: its parameters, body, answers and the errors it may give. */
function nativeOperation(route: ApiRoute): JsonObject {
  const scope = route.scope as keyof typeof NATIVE_TAGS;
  const parameters: JsonObject[] = [
    { $ref: '#/components/parameters/x-correlator' },
    ...(route.idempotent ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
    ...(route.parameters ?? []).map((parameter) => ({
      name: parameter.name,
      in: 'path',
      required: true,
      ...parameter.doc,
    })),
    ...(route.query ?? []).map(({ name, required = false, doc }) => ({
      name,
      in: 'query',
      required,
      ...doc,
    })),
  ];
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `Needs the scope \`${scope}\`.${route.description ? ` ${route.description}` : ''}`,
    tags: [NATIVE_TAGS[scope].name],
    security: [{ bearer: [] }],
    'x-otpflow-scope': scope,
    parameters,
    ...(route.body
      ? {
          requestBody: {
            required: !route.body.optional,
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${route.body.name}` } } },
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(
        route.responses.map((response) => [String(response.status), documentedResponse(response)]),
      ),
      ...common,
      ...(route.body ? { '415': ref('NativeUnsupportedMediaType') } : {}),
      ...Object.fromEntries(
        (route.errors ?? []).map((error) => [
          String(NATIVE_ERRORS[`Native${error}`]?.status),
          ref(`Native${error}`),
        ]),
      ),
    },
  };
}

/** The native API's paths, from the route table. */
export function nativePaths(groups: readonly RouteGroup[]): Record<string, JsonObject> {
  const paths: Record<string, JsonObject> = {};
  for (const group of groups.filter((candidate) => candidate.api === 'native')) {
    for (const mount of group.mounts) {
      for (const route of group.routes) {
        const template = pathTemplate(mount.prefix, route.path);
        paths[template] = { ...paths[template], [route.method.toLowerCase()]: nativeOperation(route) };
      }
    }
  }
  return paths;
}
