import { newWebhookSecret, sealWebhookSecret, type JobKey } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import {
  MAX_ENDPOINTS_PER_CLIENT,
  newEndpointId,
  type WebhookEndpoint,
  type WebhookEndpoints,
} from '@otpflow/mongo';
import { Router } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { SCOPES } from '../auth/scopes.js';
import { authorize, principalOf } from '../http/authorize.js';
import { acceptsJson, jsonBody, parseBody } from '../http/body.js';
import { methodNotAllowed } from '../http/error-handler.js';
import { nameRoute } from '../http/http-metrics.js';
import type { Limits } from '../otp/limits.js';
import { webhookUrlProblem } from '../webhooks/webhook-url.js';
import { createWebhookSchema, updateWebhookSchema, webhookIdSchema } from '../webhooks/webhook.schemas.js';

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

function endpointId(value: unknown): string {
  const parsed = webhookIdSchema.safeParse(value);
  if (!parsed.success)
    throw new ApiError('INVALID_ARGUMENT', {
      message: 'id: must be an endpoint id (ep_...).',
      details: { field: 'id' },
    });
  return parsed.data;
}

const notFound = () => new ApiError('NOT_FOUND', { message: 'There is no such webhook endpoint.' });

export interface WebhooksRouterOptions {
  authenticator: Authenticator;
  limits: Limits;
  webhooks: WebhookEndpoints;
  /** Seals each endpoint's secret at rest (the send jobs' keys: the dispatcher opens it to sign). */
  jobKeys: readonly JobKey[];
  /** Plain http endpoints (development and tests only: production refuses the setting). */
  allowHttp: boolean;
  bodyLimitBytes: number;
}

/**
 * /v1/webhooks: the calling tenant's status callback endpoints (scope `otpflow:templates`, the
 * tenant's own administration; every query is keyed by the caller's client id). The signing secret
 * is made here and shown once, on create and on rotation; it is stored sealed.
 */
export function webhooksRouter(options: WebhooksRouterOptions): Router {
  const router = Router();
  const gate = [nameRoute, authorize(options.authenticator, options.limits, SCOPES.templates), acceptsJson];
  const checkUrl = (url: string | undefined) => {
    const problem = url === undefined ? undefined : webhookUrlProblem(url, options);
    if (problem)
      throw new ApiError('INVALID_ARGUMENT', { message: `url: ${problem}.`, details: { field: 'url' } });
  };

  router.get('/', ...gate, async (_request, response) => {
    const endpoints = await options.webhooks.list(principalOf(response.locals).clientId);
    response.json({ webhooks: endpoints.map(webhookView) });
  });

  router.post('/', ...gate, ...jsonBody(options.bodyLimitBytes), async (request, response) => {
    const { clientId } = principalOf(response.locals);
    const input = parseBody(createWebhookSchema, request.body);
    checkUrl(input.url);
    if ((await options.webhooks.count(clientId)) >= MAX_ENDPOINTS_PER_CLIENT)
      throw new ApiError('CONFLICT', {
        message: `A tenant has at most ${MAX_ENDPOINTS_PER_CLIENT} webhook endpoints.`,
      });
    const id = newEndpointId();
    const secret = newWebhookSecret();
    const now = new Date();
    const endpoint: WebhookEndpoint = {
      endpointId: id,
      clientId,
      url: input.url,
      events: input.events,
      enabled: input.enabled,
      ...(input.description !== undefined ? { description: input.description } : {}),
      sealedSecret: sealWebhookSecret(secret, options.jobKeys, { clientId, endpointId: id }),
      createdAt: now,
      updatedAt: now,
    };
    await options.webhooks.insert(endpoint);
    response.status(201).json({ ...webhookView(endpoint), secret });
  });

  router.get('/:id', ...gate, async (request, response) => {
    const endpoint = await options.webhooks.get(
      principalOf(response.locals).clientId,
      endpointId(request.params.id),
    );
    if (!endpoint) throw notFound();
    response.json(webhookView(endpoint));
  });

  router.patch('/:id', ...gate, ...jsonBody(options.bodyLimitBytes), async (request, response) => {
    const id = endpointId(request.params.id);
    const change = parseBody(updateWebhookSchema, request.body);
    checkUrl(change.url);
    const endpoint = await options.webhooks.update(principalOf(response.locals).clientId, id, change);
    if (!endpoint) throw notFound();
    response.json(webhookView(endpoint));
  });

  router.delete('/:id', ...gate, async (request, response) => {
    const removed = await options.webhooks.remove(
      principalOf(response.locals).clientId,
      endpointId(request.params.id),
    );
    if (!removed) throw notFound();
    response.status(204).end();
  });

  // Callbacks already queued were sealed with the old secret: they are signed with it until delivered.
  router.post('/:id/secret', ...gate, async (request, response) => {
    const { clientId } = principalOf(response.locals);
    const id = endpointId(request.params.id);
    const secret = newWebhookSecret();
    const endpoint = await options.webhooks.update(clientId, id, {
      sealedSecret: sealWebhookSecret(secret, options.jobKeys, { clientId, endpointId: id }),
    });
    if (!endpoint) throw notFound();
    response.json({ ...webhookView(endpoint), secret });
  });

  router.all('/', nameRoute, methodNotAllowed(['GET', 'POST']));
  router.all('/:id', nameRoute, methodNotAllowed(['GET', 'PATCH', 'DELETE']));
  router.all('/:id/secret', nameRoute, methodNotAllowed(['POST']));
  return router;
}
