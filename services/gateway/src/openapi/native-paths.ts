import { SCOPES, type Scope } from '../auth/scopes.js';
import type { ApiRoute, ComponentSchema, RouteGroup, RouteResponse } from '../http/route.js';
import { pathTemplate } from '../http/route.js';
import { jsonSchemaOf as jsonSchema } from './json-schema.js';
import { NATIVE_ERRORS, NATIVE_ERROR_INFO } from './native-errors.js';

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
    NativeErrorInfo: NATIVE_ERROR_INFO,
  };
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
