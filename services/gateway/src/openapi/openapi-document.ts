import camara from './camara-one-time-password-sms-1.1.1.json' with { type: 'json' };
import { API_ROUTES } from '../api-routes.js';
import { CAMARA_ROUTES } from '../camara/camara.routes.js';
import { errorResponse } from './error-response.js';
import { nativeResponses } from './native-errors.js';
import { NATIVE_TAGS, nativePaths, nativeSchemas } from './native-paths.js';

type JsonObject = Record<string, unknown>;

/** Errors CAMARA Commonalities allows on any operation, that the gateway may answer. */
const CAMARA_EXTRA_RESPONSES: Record<string, { description: string; code: string; message: string }> = {
  '405': {
    description: 'Method Not Allowed',
    code: 'METHOD_NOT_ALLOWED',
    message: 'The requested method is not allowed/supported on the target resource.',
  },
  '406': {
    description: 'Not Acceptable',
    code: 'NOT_ACCEPTABLE',
    message:
      'The server cannot produce a response matching the content requested by the client through `Accept-*` headers.',
  },
  '415': {
    description: 'Unsupported Media Type',
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message:
      'The server refuses to accept the request because the payload format is in an unsupported format.',
  },
  '503': { description: 'Service Unavailable', code: 'UNAVAILABLE', message: 'Service Unavailable.' },
};

function camaraExtraResponses(): Record<string, JsonObject> {
  return Object.fromEntries(
    Object.entries(CAMARA_EXTRA_RESPONSES).map(([status, error]) => [
      `Generic${status}`,
      errorResponse({
        description: error.description,
        info: 'ErrorInfo',
        status: Number(status),
        codes: [error.code],
        examples: {
          [`GENERIC_${status}_${error.code}`]: {
            value: { status: Number(status), code: error.code, message: error.message },
          },
        },
      }),
    ]),
  );
}

/** The spec's two operations under a mount, unchanged but for ids, the extra Commonalities errors and auth. */
function camaraPaths(): Record<string, JsonObject> {
  const paths: Record<string, JsonObject> = {};
  const specPaths: Record<string, { post: unknown }> = camara.paths;
  for (const mount of CAMARA_ROUTES.mounts) {
    for (const route of CAMARA_ROUTES.routes) {
      const item = specPaths[route.path];
      if (!item) throw new Error(`the CAMARA spec has no ${route.path}`);
      const operation = structuredClone(item.post) as JsonObject & {
        operationId: string;
        responses: JsonObject;
        security: JsonObject[];
      };
      paths[`${mount.prefix}${route.path}`] = {
        post: {
          ...operation,
          operationId: `${operation.operationId}${mount.operationSuffix}`,
          responses: {
            ...operation.responses,
            ...Object.fromEntries(
              Object.keys(CAMARA_EXTRA_RESPONSES).map((status) => [
                status,
                { $ref: `#/components/responses/Generic${status}` },
              ]),
            ),
          },
          security: [...operation.security, { bearer: [] }],
        },
      };
    }
  }
  return paths;
}

/**
 * The whole API as one OpenAPI 3.1 document: the CAMARA OTPValidation 1.1.1 spec as published (at the
 * spec's path and at the seeds' path), and the native API generated from the zod schemas the gateway
 * validates requests with, so the document cannot drift from the code.
 */
export function buildOpenApiDocument(version: string): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'otpflow API',
      version,
      description:
        'One-time codes by SMS and voice. The CAMARA OTPValidation 1.1.1 operations are served exactly as specified; ' +
        'the native API under /v1 adds channels, code options, templates, status, cancel and resend. ' +
        'Authenticate with `Authorization: Bearer <API key or OIDC access token>`.',
      license: camara.info.license,
    },
    servers: [{ url: '/' }],
    tags: [...camara.tags, ...Object.values(NATIVE_TAGS)],
    externalDocs: camara.externalDocs,
    paths: { ...camaraPaths(), ...nativePaths(API_ROUTES) },
    components: {
      parameters: {
        ...camara.components.parameters,
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          description:
            'Makes a retried create safe: the same key and request answer the first result, and send no second code.',
          schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
        },
      },
      headers: camara.components.headers,
      schemas: { ...camara.components.schemas, ...nativeSchemas(API_ROUTES) },
      responses: { ...camara.components.responses, ...camaraExtraResponses(), ...nativeResponses() },
      securitySchemes: {
        ...camara.components.securitySchemes,
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key (API_KEYS) or an OIDC/JWT access token (OIDC_ISSUER). Each native operation needs the one scope its `x-otpflow-scope` names.',
        },
      },
    },
  };
}
