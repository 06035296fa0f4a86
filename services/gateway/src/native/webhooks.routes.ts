import { newWebhookSecret, sealWebhookSecret } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import { MAX_ENDPOINTS_PER_CLIENT, newEndpointId, type WebhookEndpoint } from '@otpflow/mongo';
import { SCOPES } from '../auth/scopes.js';
import { defineRoute, type PathParameter, type RouteGroup, type WebhookDependencies } from '../http/route.js';
import { webhookUrlProblem } from '../webhooks/webhook-url.js';
import {
  createWebhookSchema,
  updateWebhookSchema,
  webhookIdSchema,
  webhookSchema,
  webhookWithSecretSchema,
} from '../webhooks/webhook.schemas.js';

function webhookView(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.endpointId,
    url: endpoint.url,
    events: endpoint.events,
    enabled: endpoint.enabled,
    ...(endpoint.description !== undefined ? { description: endpoint.description } : {}),
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

const noSuchEndpoint = () => new ApiError('NOT_FOUND', { message: 'There is no such webhook endpoint.' });

/** Whether the deployment lets a tenant aim callbacks at this URL (https, no internal address). */
function checkUrl(url: string | undefined, webhooks: WebhookDependencies): void {
  const problem = url === undefined ? undefined : webhookUrlProblem(url, webhooks);
  if (problem)
    throw new ApiError('INVALID_ARGUMENT', { message: `url: ${problem}.`, details: { field: 'url' } });
}

/** The secret is sealed under the tenant and the endpoint, so it opens for that pair only. */
function sealedSecret(webhooks: WebhookDependencies, clientId: string, endpointId: string) {
  const secret = newWebhookSecret();
  return { secret, sealedSecret: sealWebhookSecret(secret, webhooks.jobKeys, { clientId, endpointId }) };
}

const idParameter: readonly PathParameter<'id'>[] = [
  {
    name: 'id',
    schema: webhookIdSchema,
    doc: {
      description: 'The endpoint id (ep_ and 16 characters)',
      schema: { type: 'string', pattern: '^ep_[A-Za-z0-9_-]{16}$' },
    },
  },
];
const webhook = { name: 'Webhook', schema: webhookSchema };
const webhookWithSecret = { name: 'WebhookWithSecret', schema: webhookWithSecretSchema };
const scope = SCOPES.templates;

const listWebhooks = defineRoute({
  operationId: 'listWebhooks',
  method: 'GET',
  path: '/',
  scope,
  summary: 'The calling tenant’s callback endpoints',
  responses: [
    {
      status: 200,
      description: 'Every endpoint',
      body: {
        name: 'WebhookList',
        json: {
          type: 'object',
          properties: { webhooks: { type: 'array', items: { $ref: '#/components/schemas/Webhook' } } },
          required: ['webhooks'],
        },
      },
    },
  ],
  handle:
    ({ webhooks }) =>
    async ({ response, principal }) => {
      const endpoints = await webhooks.endpoints.list(principal.clientId);
      response.json({ webhooks: endpoints.map(webhookView) });
    },
});

const createWebhook = defineRoute({
  operationId: 'createWebhook',
  method: 'POST',
  path: '/',
  scope,
  summary: 'Register a callback endpoint; answers its secret, once',
  body: { schema: createWebhookSchema, name: 'CreateWebhook' },
  responses: [{ status: 201, description: 'Registered', body: webhookWithSecret }],
  errors: ['Conflict'],
  handle:
    ({ webhooks }) =>
    async ({ response, principal: { clientId }, body: input }) => {
      checkUrl(input.url, webhooks);
      if ((await webhooks.endpoints.count(clientId)) >= MAX_ENDPOINTS_PER_CLIENT)
        throw new ApiError('CONFLICT', {
          message: `A tenant has at most ${MAX_ENDPOINTS_PER_CLIENT} webhook endpoints.`,
        });
      const id = newEndpointId();
      const { secret, sealedSecret: sealed } = sealedSecret(webhooks, clientId, id);
      const now = new Date();
      const endpoint: WebhookEndpoint = {
        endpointId: id,
        clientId,
        url: input.url,
        events: input.events,
        enabled: input.enabled,
        ...(input.description !== undefined ? { description: input.description } : {}),
        sealedSecret: sealed,
        createdAt: now,
        updatedAt: now,
      };
      await webhooks.endpoints.insert(endpoint);
      response.status(201).json({ ...webhookView(endpoint), secret });
    },
});

const getWebhook = defineRoute({
  operationId: 'getWebhook',
  method: 'GET',
  path: '/:id',
  scope,
  summary: 'One callback endpoint',
  parameters: idParameter,
  responses: [{ status: 200, description: 'The endpoint', body: webhook }],
  errors: ['NotFound'],
  handle:
    ({ webhooks }) =>
    async ({ response, principal, params }) => {
      const endpoint = await webhooks.endpoints.get(principal.clientId, params.id);
      if (!endpoint) throw noSuchEndpoint();
      response.json(webhookView(endpoint));
    },
});

const updateWebhook = defineRoute({
  operationId: 'updateWebhook',
  method: 'PATCH',
  path: '/:id',
  scope,
  summary: 'Change an endpoint’s URL, events, description or state',
  parameters: idParameter,
  body: { schema: updateWebhookSchema, name: 'UpdateWebhook' },
  responses: [{ status: 200, description: 'Changed', body: webhook }],
  errors: ['NotFound'],
  handle:
    ({ webhooks }) =>
    async ({ response, principal, params, body: change }) => {
      checkUrl(change.url, webhooks);
      const endpoint = await webhooks.endpoints.update(principal.clientId, params.id, change);
      if (!endpoint) throw noSuchEndpoint();
      response.json(webhookView(endpoint));
    },
});

const deleteWebhook = defineRoute({
  operationId: 'deleteWebhook',
  method: 'DELETE',
  path: '/:id',
  scope,
  summary: 'Remove an endpoint',
  parameters: idParameter,
  responses: [{ status: 204, description: 'Removed' }],
  errors: ['NotFound'],
  handle:
    ({ webhooks }) =>
    async ({ response, principal, params }) => {
      if (!(await webhooks.endpoints.remove(principal.clientId, params.id))) throw noSuchEndpoint();
      response.status(204).end();
    },
});

/** Callbacks already queued were sealed with the old secret: they are signed with it until delivered. */
const rotateWebhookSecret = defineRoute({
  operationId: 'rotateWebhookSecret',
  method: 'POST',
  path: '/:id/secret',
  scope,
  summary: 'A new signing secret; answers it, once',
  parameters: idParameter,
  responses: [{ status: 200, description: 'Rotated', body: webhookWithSecret }],
  errors: ['NotFound'],
  handle:
    ({ webhooks }) =>
    async ({ response, principal: { clientId }, params: { id } }) => {
      const { secret, sealedSecret: sealed } = sealedSecret(webhooks, clientId, id);
      const endpoint = await webhooks.endpoints.update(clientId, id, { sealedSecret: sealed });
      if (!endpoint) throw noSuchEndpoint();
      response.json({ ...webhookView(endpoint), secret });
    },
});

/**
 * /v1/webhooks: the calling tenant's status callback endpoints (scope `otpflow:templates`, the
 * tenant's own administration; every query is keyed by the caller's client id). The signing secret
 * is made here and shown once, on create and on rotation; it is stored sealed.
 */
export const WEBHOOK_ROUTES: RouteGroup = {
  api: 'native',
  mounts: [{ prefix: '/v1/webhooks', operationSuffix: '' }],
  routes: [listWebhooks, createWebhook, getWebhook, updateWebhook, deleteWebhook, rotateWebhookSecret],
};
