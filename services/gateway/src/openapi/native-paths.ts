import { z } from 'zod';
import { SCOPES, type Scope } from '../auth/scopes.js';
import { storedPolicySchema } from '../policies/client-policy.js';
import { listingOperations, listingSchemas } from './listing-paths.js';
import {
  checkResultSchema,
  checkVerificationSchema,
  createVerificationSchema,
  resendVerificationSchema,
  templateBodySchema,
  templateSchema,
  verificationSchema,
} from '../native/verification.schemas.js';

export type JsonObject = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), for requests (input) or responses. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const {
    $schema: _dialect,
    id: _id,
    ...rest
  } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

/** The native API's schemas, generated from the very zod schemas the gateway validates with. */
export function nativeSchemas(): Record<string, JsonObject> {
  return {
    CreateVerification: jsonSchema(createVerificationSchema, 'input'),
    CheckVerification: jsonSchema(checkVerificationSchema, 'input'),
    ResendVerification: jsonSchema(resendVerificationSchema, 'input'),
    Verification: jsonSchema(verificationSchema, 'output'),
    CheckResult: jsonSchema(checkResultSchema, 'output'),
    ...listingSchemas(),
    TemplateBody: jsonSchema(templateBodySchema, 'input'),
    Template: jsonSchema(templateSchema, 'output'),
    TemplateList: {
      type: 'object',
      properties: { templates: { type: 'array', items: { $ref: '#/components/schemas/Template' } } },
      required: ['templates'],
    },
    StoredPolicy: jsonSchema(storedPolicySchema, 'input'),
    PolicyView: {
      type: 'object',
      properties: {
        clientId: { type: 'string' },
        policy: {
          type: 'object',
          description: 'The effective policy: the stored fields over the deployment defaults.',
        },
        stored: { $ref: '#/components/schemas/StoredPolicy' },
      },
      required: ['clientId', 'policy', 'stored'],
    },
    FraudRule: {
      type: 'object',
      description: 'A block of the fraud guard (docs/FRAUD.md) or an allow-list entry.',
      properties: {
        scope: { type: 'string', description: 'A client id, or `*` for every client.' },
        target: {
          type: 'string',
          description: 'A +prefix or number; for a block also an address or a network.',
        },
        reason: { type: 'string' },
        expiresAt: { type: 'string', format: 'date-time' },
        strikes: { type: 'integer' },
        note: { type: 'string' },
        createdAt: { type: 'string', format: 'date-time' },
      },
      required: ['scope', 'target'],
    },
    FraudRuleList: {
      type: 'object',
      properties: {
        blocks: { type: 'array', items: { $ref: '#/components/schemas/FraudRule' } },
        allow: { type: 'array', items: { $ref: '#/components/schemas/FraudRule' } },
      },
    },
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
      {
        description: error.description,
        headers: { 'x-correlator': { $ref: '#/components/headers/x-correlator' } },
        content: {
          'application/json': {
            schema: {
              allOf: [
                { $ref: '#/components/schemas/NativeErrorInfo' },
                {
                  type: 'object',
                  properties: { status: { enum: [error.status] }, code: { enum: error.codes } },
                },
              ],
            },
          },
        },
      },
    ]),
  );
}

export const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
export const json = (schema: string, description: string) => ({
  description,
  headers: { 'x-correlator': { $ref: '#/components/headers/x-correlator' } },
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});
export const body = (schema: string, required = true) => ({
  required,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});
/** Every operation: a malformed x-correlator (or path parameter) is a 400 before anything else. */
export const common = {
  '400': ref('NativeBadRequest'),
  '401': ref('NativeUnauthenticated'),
  '403': ref('NativeForbidden'),
  '406': ref('NativeNotAcceptable'),
  '429': ref('NativeTooManyRequests'),
  '503': ref('NativeUnavailable'),
};
export const withBody = { ...common, '415': ref('NativeUnsupportedMediaType') };
const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description:
    'The verification id: 36 characters shaped like a UUID (the encrypted address of its code, not a random UUID)',
  schema: { type: 'string', format: 'uuid' },
};
export const parameters = [{ $ref: '#/components/parameters/x-correlator' }];

/** A fraud rule's place: its scope and its URL-encoded target. */
const fraudRuleParameters = [
  {
    name: 'scope',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'A client id, or `*`.',
  },
  {
    name: 'target',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'A +prefix, number, address or network, URL-encoded (`%2B34600`, `203.0.113.0%2F24`).',
  },
];

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

export function operation(
  operationId: string,
  summary: string,
  scope: keyof typeof NATIVE_TAGS,
  extra: JsonObject,
): JsonObject {
  return {
    operationId,
    summary,
    description: `Needs the scope \`${scope}\`.`,
    tags: [NATIVE_TAGS[scope].name],
    security: [{ bearer: [] }],
    'x-otpflow-scope': scope,
    ...extra,
  };
}

/** The native API's paths. */
export function nativePaths(): Record<string, JsonObject> {
  const { verifications, templates, admin } = SCOPES;
  const listing = listingOperations(operation);
  return {
    ...listing.paths,
    '/v1/verifications': {
      get: listing.list,
      post: operation('createVerification', 'Send a code by SMS or voice, with every option', verifications, {
        parameters: [...parameters, { $ref: '#/components/parameters/IdempotencyKey' }],
        requestBody: body('CreateVerification'),
        responses: {
          '201': json('Verification', 'Created; the code is on its way'),
          ...withBody,
          '409': ref('NativeConflict'),
        },
      }),
    },
    '/v1/verifications/{id}': {
      get: operation('getVerification', 'Status, attempts and delivery', verifications, {
        parameters: [...parameters, idParameter],
        responses: {
          '200': json('Verification', 'The verification'),
          ...common,
          '404': ref('NativeNotFound'),
        },
      }),
    },
    '/v1/verifications/{id}/check': {
      post: operation('checkVerification', 'Check a code; answers the attempts remaining', verifications, {
        parameters: [...parameters, idParameter],
        requestBody: body('CheckVerification'),
        responses: {
          '200': json('CheckResult', 'Whether the code was valid'),
          ...withBody,
          '404': ref('NativeNotFound'),
        },
      }),
    },
    '/v1/verifications/{id}/cancel': {
      post: operation('cancelVerification', 'Cancel: the code never validates after this', verifications, {
        parameters: [...parameters, idParameter],
        responses: {
          '200': json('Verification', 'Canceled'),
          ...common,
          '404': ref('NativeNotFound'),
          '409': ref('NativeConflict'),
        },
      }),
    },
    '/v1/verifications/{id}/resend': {
      post: operation(
        'resendVerification',
        'Send a new code, on the same or another channel',
        verifications,
        {
          parameters: [...parameters, idParameter],
          requestBody: body('ResendVerification', false),
          responses: {
            '200': json('Verification', 'A new code is on its way'),
            ...withBody,
            '404': ref('NativeNotFound'),
            '409': ref('NativeConflict'),
          },
        },
      ),
    },
    '/v1/templates': {
      get: operation('listTemplates', 'The calling tenant’s message templates', templates, {
        parameters,
        responses: { '200': json('TemplateList', 'Every template'), ...common },
      }),
    },
    '/v1/templates/{id}/{locale}': {
      parameters: [
        {
          name: 'id',
          in: 'path',
          required: true,
          schema: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,100}$' },
        },
        { name: 'locale', in: 'path', required: true, schema: { type: 'string', example: 'es-ES' } },
      ],
      get: operation('getTemplate', 'One template', templates, {
        parameters,
        responses: {
          '200': json('Template', 'The template'),
          ...common,
          '404': ref('NativeNotFound'),
        },
      }),
      put: operation('putTemplate', 'Create or replace a template', templates, {
        parameters,
        requestBody: body('TemplateBody'),
        responses: { '200': json('Template', 'Replaced'), '201': json('Template', 'Created'), ...withBody },
      }),
      delete: operation('deleteTemplate', 'Delete a template', templates, {
        parameters,
        responses: {
          '204': { description: 'Deleted' },
          ...common,
          '404': ref('NativeNotFound'),
        },
      }),
    },
    '/v1/policy': {
      get: operation('getOwnPolicy', 'The calling tenant’s effective and stored policy', templates, {
        parameters,
        responses: { '200': json('PolicyView', 'The policy'), ...common },
      }),
    },
    '/v1/admin/policies/{clientId}': {
      parameters: [
        {
          name: 'clientId',
          in: 'path',
          required: true,
          description: 'An API-key client id, or `oidc:<claim value>` for a tenant authenticated by OIDC.',
          schema: { type: 'string', pattern: '^([a-zA-Z0-9._-]{1,128}|oidc:[\\x21-\\x7e]{1,128})$' },
        },
      ],
      get: operation('getPolicy', 'A client’s effective and stored policy', admin, {
        parameters,
        responses: { '200': json('PolicyView', 'The policy'), ...common },
      }),
      put: operation('putPolicy', 'Replace a client’s stored policy', admin, {
        parameters,
        requestBody: body('StoredPolicy'),
        responses: { '200': json('PolicyView', 'The new policy'), ...withBody },
      }),
      delete: operation('deletePolicy', 'Return a client to the defaults', admin, {
        parameters,
        responses: { '204': { description: 'Deleted' }, ...common },
      }),
    },
    '/v1/admin/fraud/blocks': {
      get: operation('listFraudBlocks', 'The fraud guard’s active blocks', admin, {
        parameters,
        responses: { '200': json('FraudRuleList', 'The blocks'), ...common },
      }),
    },
    '/v1/admin/fraud/blocks/{scope}/{target}': {
      parameters: fraudRuleParameters,
      delete: operation('liftFraudBlock', 'Lift a block (a repeat still counts as one)', admin, {
        parameters,
        responses: { '204': { description: 'Lifted' }, ...common, '404': ref('NativeNotFound') },
      }),
    },
    '/v1/admin/fraud/allow': {
      get: operation('listFraudAllowList', 'The fraud guard’s allow-list', admin, {
        parameters,
        responses: { '200': json('FraudRuleList', 'The allow-list'), ...common },
      }),
    },
    '/v1/admin/fraud/allow/{scope}/{target}': {
      parameters: fraudRuleParameters,
      put: operation('allowFraudTarget', 'Allow-list a prefix or number', admin, {
        parameters,
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: { type: 'object', properties: { note: { type: 'string', maxLength: 200 } } },
            },
          },
        },
        responses: { '200': json('FraudRule', 'Allow-listed'), ...withBody },
      }),
      delete: operation('removeFraudAllow', 'Remove an allow-list entry', admin, {
        parameters,
        responses: { '204': { description: 'Removed' }, ...common, '404': ref('NativeNotFound') },
      }),
    },
  };
}
