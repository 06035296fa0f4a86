import { SCOPES } from '../auth/scopes.js';
import {
  createWebhookSchema,
  updateWebhookSchema,
  webhookSchema,
  webhookWithSecretSchema,
} from '../webhooks/webhook.schemas.js';
import {
  body,
  common,
  json,
  jsonSchema,
  operation,
  parameters,
  ref,
  withBody,
  type JsonObject,
} from './native-paths.js';

/** The status callback endpoints' schemas, from the zod schemas /v1/webhooks validates with. */
export function webhookSchemas(): Record<string, JsonObject> {
  return {
    CreateWebhook: jsonSchema(createWebhookSchema, 'input'),
    UpdateWebhook: jsonSchema(updateWebhookSchema, 'input'),
    Webhook: jsonSchema(webhookSchema, 'output'),
    WebhookWithSecret: jsonSchema(webhookWithSecretSchema, 'output'),
    WebhookList: {
      type: 'object',
      properties: { webhooks: { type: 'array', items: { $ref: '#/components/schemas/Webhook' } } },
      required: ['webhooks'],
    },
  };
}

const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The endpoint id (ep_ and 16 characters)',
  schema: { type: 'string', pattern: '^ep_[A-Za-z0-9_-]{16}$' },
};

/** /v1/webhooks: a tenant's status callback endpoints (docs/native-api.md, "Status callbacks"). */
export function webhookPaths(): Record<string, JsonObject> {
  const scope = SCOPES.templates;
  return {
    '/v1/webhooks': {
      get: operation('listWebhooks', 'The calling tenant’s callback endpoints', scope, {
        parameters,
        responses: { '200': json('WebhookList', 'Every endpoint'), ...common },
      }),
      post: operation('createWebhook', 'Register a callback endpoint; answers its secret, once', scope, {
        parameters,
        requestBody: body('CreateWebhook'),
        responses: {
          '201': json('WebhookWithSecret', 'Registered'),
          ...withBody,
          '409': ref('NativeConflict'),
        },
      }),
    },
    '/v1/webhooks/{id}': {
      parameters: [idParameter],
      get: operation('getWebhook', 'One callback endpoint', scope, {
        parameters,
        responses: { '200': json('Webhook', 'The endpoint'), ...common, '404': ref('NativeNotFound') },
      }),
      patch: operation('updateWebhook', 'Change an endpoint’s URL, events, description or state', scope, {
        parameters,
        requestBody: body('UpdateWebhook'),
        responses: { '200': json('Webhook', 'Changed'), ...withBody, '404': ref('NativeNotFound') },
      }),
      delete: operation('deleteWebhook', 'Remove an endpoint', scope, {
        parameters,
        responses: { '204': { description: 'Removed' }, ...common, '404': ref('NativeNotFound') },
      }),
    },
    '/v1/webhooks/{id}/secret': {
      parameters: [idParameter],
      post: operation('rotateWebhookSecret', 'A new signing secret; answers it, once', scope, {
        parameters,
        responses: { '200': json('WebhookWithSecret', 'Rotated'), ...common, '404': ref('NativeNotFound') },
      }),
    },
  };
}
