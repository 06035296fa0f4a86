import { smsChargeInfo } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import { Router } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { SCOPES } from '../auth/scopes.js';
import { authorize, principalOf } from '../http/authorize.js';
import { acceptsJson, jsonBody, parseBody } from '../http/body.js';
import { methodNotAllowed } from '../http/error-handler.js';
import { nameRoute } from '../http/http-metrics.js';
import type { Limits } from '../otp/limits.js';
import { localeSchema } from '../policies/client-policy.js';
import { checkMessageLimits, checkTemplateText, insertCode, variablesOf } from '../templates/message-text.js';
import type { MessageTemplate, TemplateStore } from '../templates/template.store.js';
import { templateBodySchema, templateIdSchema } from './verification.schemas.js';

/** A 6-digit code stands in for the code when a template's cost is shown. */
const SAMPLE_CODE = '123456';

function templateView(template: MessageTemplate) {
  const charge = smsChargeInfo(insertCode(template.text, SAMPLE_CODE));
  return {
    id: template.templateId,
    locale: template.locale,
    text: template.text,
    variables: template.variables,
    chargeInfo: { encoding: charge.encoding, parts: charge.parts },
    createdAt: template.createdAt.toISOString(),
    updatedAt: template.updatedAt.toISOString(),
  };
}

function pathParameter(schema: typeof templateIdSchema, value: unknown, field: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ApiError('INVALID_ARGUMENT', {
      message: `${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
      details: { field },
    });
  return parsed.data;
}

/**
 * /v1/templates/{id}/{locale}: the calling tenant's own message templates (scope `otpflow:templates`;
 * every query is keyed by the caller's client id, so no path reaches another tenant's). Each must
 * contain {{code}}, may use {{variables}} (none of a reserved name, no other braces), and must fit 8
 * SMS parts in its encoding.
 */
export function templatesRouter(options: {
  authenticator: Authenticator;
  limits: Limits;
  templates: TemplateStore;
  bodyLimitBytes: number;
}): Router {
  const router = Router();
  const gate = [nameRoute, authorize(options.authenticator, options.limits, SCOPES.templates), acceptsJson];

  router.get('/', ...gate, async (_request, response) => {
    const templates = await options.templates.list(principalOf(response.locals).clientId);
    response.json({ templates: templates.map(templateView) });
  });

  router.put('/:id/:locale', ...gate, ...jsonBody(options.bodyLimitBytes), async (request, response) => {
    const templateId = pathParameter(templateIdSchema, request.params.id, 'id');
    const locale = pathParameter(localeSchema, request.params.locale, 'locale');
    const { text } = parseBody(templateBodySchema, request.body);
    checkTemplateText(text, 'text');
    checkMessageLimits(insertCode(text, SAMPLE_CODE), 'sms', 'text');
    const { template, created } = await options.templates.put(principalOf(response.locals).clientId, {
      templateId,
      locale,
      text,
      variables: variablesOf(text),
    });
    response.status(created ? 201 : 200).json(templateView(template));
  });

  router.get('/:id/:locale', ...gate, async (request, response) => {
    const template = await options.templates.get(
      principalOf(response.locals).clientId,
      pathParameter(templateIdSchema, request.params.id, 'id'),
      pathParameter(localeSchema, request.params.locale, 'locale'),
    );
    if (!template) throw new ApiError('NOT_FOUND', { message: 'There is no such template.' });
    response.json(templateView(template));
  });

  router.delete('/:id/:locale', ...gate, async (request, response) => {
    const removed = await options.templates.remove(
      principalOf(response.locals).clientId,
      pathParameter(templateIdSchema, request.params.id, 'id'),
      pathParameter(localeSchema, request.params.locale, 'locale'),
    );
    if (!removed) throw new ApiError('NOT_FOUND', { message: 'There is no such template.' });
    response.status(204).end();
  });

  router.all('/', nameRoute, methodNotAllowed(['GET']));
  router.all('/:id/:locale', nameRoute, methodNotAllowed(['GET', 'PUT', 'DELETE']));
  return router;
}
