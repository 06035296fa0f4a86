import { smsChargeInfo } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import { SCOPES } from '../auth/scopes.js';
import { defineRoute, type PathParameter, type RouteGroup } from '../http/route.js';
import { localeSchema } from '../policies/client-policy.js';
import { checkMessageLimits, checkTemplateText, insertCode, variablesOf } from '../templates/message-text.js';
import type { MessageTemplate } from '../templates/template.store.js';
import { templateBodySchema, templateIdSchema, templateSchema } from './verification.schemas.js';

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

const noSuchTemplate = () => new ApiError('NOT_FOUND', { message: 'There is no such template.' });

/** A template is addressed by its id and locale, both checked (400 naming the one at fault). */
const templateParameters: readonly PathParameter<'id' | 'locale'>[] = [
  {
    name: 'id',
    schema: templateIdSchema,
    doc: { schema: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,100}$' } },
  },
  { name: 'locale', schema: localeSchema, doc: { schema: { type: 'string', example: 'es-ES' } } },
];
const template = { name: 'Template', schema: templateSchema };
const scope = SCOPES.templates;

const listTemplates = defineRoute({
  operationId: 'listTemplates',
  method: 'GET',
  path: '/',
  scope,
  summary: 'The calling tenant’s message templates',
  responses: [
    {
      status: 200,
      description: 'Every template',
      body: {
        name: 'TemplateList',
        json: {
          type: 'object',
          properties: { templates: { type: 'array', items: { $ref: '#/components/schemas/Template' } } },
          required: ['templates'],
        },
      },
    },
  ],
  handle:
    ({ templates }) =>
    async ({ response, principal }) => {
      response.json({ templates: (await templates.list(principal.clientId)).map(templateView) });
    },
});

const getTemplate = defineRoute({
  operationId: 'getTemplate',
  method: 'GET',
  path: '/:id/:locale',
  scope,
  summary: 'One template',
  parameters: templateParameters,
  responses: [{ status: 200, description: 'The template', body: template }],
  errors: ['NotFound'],
  handle:
    ({ templates }) =>
    async ({ response, principal, params }) => {
      const found = await templates.get(principal.clientId, params.id, params.locale);
      if (!found) throw noSuchTemplate();
      response.json(templateView(found));
    },
});

const putTemplate = defineRoute({
  operationId: 'putTemplate',
  method: 'PUT',
  path: '/:id/:locale',
  scope,
  summary: 'Create or replace a template',
  parameters: templateParameters,
  body: { schema: templateBodySchema, name: 'TemplateBody' },
  responses: [
    { status: 200, description: 'Replaced', body: template },
    { status: 201, description: 'Created', body: template },
  ],
  handle:
    ({ templates }) =>
    async ({ response, principal, params, body: { text } }) => {
      checkTemplateText(text, 'text');
      checkMessageLimits(insertCode(text, SAMPLE_CODE), 'sms', 'text');
      const { template: stored, created } = await templates.put(principal.clientId, {
        templateId: params.id,
        locale: params.locale,
        text,
        variables: variablesOf(text),
      });
      response.status(created ? 201 : 200).json(templateView(stored));
    },
});

const deleteTemplate = defineRoute({
  operationId: 'deleteTemplate',
  method: 'DELETE',
  path: '/:id/:locale',
  scope,
  summary: 'Delete a template',
  parameters: templateParameters,
  responses: [{ status: 204, description: 'Deleted' }],
  errors: ['NotFound'],
  handle:
    ({ templates }) =>
    async ({ response, principal, params }) => {
      if (!(await templates.remove(principal.clientId, params.id, params.locale))) throw noSuchTemplate();
      response.status(204).end();
    },
});

/**
 * /v1/templates/{id}/{locale}: the calling tenant's own message templates (scope `otpflow:templates`;
 * every query is keyed by the caller's client id, so no path reaches another tenant's). Each must
 * contain {{code}}, may use {{variables}} (none of a reserved name, no other braces), and must fit 8
 * SMS parts in its encoding.
 */
export const TEMPLATE_ROUTES: RouteGroup = {
  api: 'native',
  mounts: [{ prefix: '/v1/templates', operationSuffix: '' }],
  routes: [listTemplates, getTemplate, putTemplate, deleteTemplate],
};
