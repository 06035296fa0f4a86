import { ApiError } from '@otpflow/errors';
import { z } from 'zod';
import { SCOPES } from '../auth/scopes.js';
import { tenantIdSchema } from '../auth/tenant.js';
import { defineRoute, type PathParameter, type RouteGroup } from '../http/route.js';
import type { RuleDocument } from '@otpflow/fraud';
import { listFraudThrottles } from './fraud-throttles.route.js';

/**
 * /v1/admin/fraud (scope `otpflow:admin`): the fraud guard's rules. GET /blocks lists the active
 * blocks; DELETE /blocks/{scope}/{target} lifts one (a repeat still counts as a repeat); GET /allow,
 * PUT and DELETE /allow/{scope}/{target} manage the allow-list. Targets are URL-encoded (`%2B34`,
 * `%2F24`). Changes reach every gateway at its next sync (at most FRAUD_SYNC_MAX_INTERVAL_MS and a tick).
 * GET /throttles (fraud-throttles.route.ts) tells the throttle budgets the answering replica judges by.
 */

/** `*` (every client) or a client id. */
const scopeSchema = z.union([z.literal('*'), tenantIdSchema]);
/** A blocked range (+prefix) or address (IP or network); an allow-list entry is a +prefix or number. */
const blockTargetSchema = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[0-9a-fA-F:.+/]+$/, 'must be a +prefix, an address or a network');
const allowTargetSchema = z.string().regex(/^\+[1-9][0-9]{0,14}$/, 'must be + followed by digits');
const allowBodySchema = z.strictObject({ note: z.string().max(200).optional() });

/** A fraud rule's place: its scope and its URL-encoded target (checked as a block's or an allow-list's). */
function ruleParameters(target: z.ZodType<string>): readonly PathParameter<'scope' | 'target'>[] {
  return [
    {
      name: 'scope',
      schema: scopeSchema,
      doc: { schema: { type: 'string' }, description: 'A client id, or `*`.' },
    },
    {
      name: 'target',
      schema: target,
      doc: {
        schema: { type: 'string' },
        description: 'A +prefix, number, address or network, URL-encoded (`%2B34600`, `203.0.113.0%2F24`).',
      },
    },
  ];
}

const view = (rule: RuleDocument) => ({
  scope: rule.scope,
  target: rule.target,
  ...(rule.reason ? { reason: rule.reason } : {}),
  ...(rule.expiresAt ? { expiresAt: rule.expiresAt.toISOString() } : {}),
  ...(rule.strikes ? { strikes: rule.strikes } : {}),
  ...(rule.note ? { note: rule.note } : {}),
  createdAt: rule.createdAt.toISOString(),
});

const fraudRule = {
  name: 'FraudRule',
  json: {
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
};
const fraudRuleList = {
  name: 'FraudRuleList',
  json: {
    type: 'object',
    properties: {
      blocks: { type: 'array', items: { $ref: '#/components/schemas/FraudRule' } },
      allow: { type: 'array', items: { $ref: '#/components/schemas/FraudRule' } },
    },
  },
};
const scope = SCOPES.admin;

const listFraudBlocks = defineRoute({
  operationId: 'listFraudBlocks',
  method: 'GET',
  path: '/blocks',
  scope,
  summary: 'The fraud guard’s active blocks',
  responses: [{ status: 200, description: 'The blocks', body: fraudRuleList }],
  handle:
    ({ fraud }) =>
    async ({ response }) => {
      const blocks = await fraud.list('block', new Date());
      response.json({ blocks: blocks.map(view) });
    },
});

const liftFraudBlock = defineRoute({
  operationId: 'liftFraudBlock',
  method: 'DELETE',
  path: '/blocks/:scope/:target',
  scope,
  summary: 'Lift a block (a repeat still counts as one)',
  parameters: ruleParameters(blockTargetSchema),
  responses: [{ status: 204, description: 'Lifted' }],
  errors: ['NotFound'],
  handle:
    ({ fraud }) =>
    async ({ response, params }) => {
      if (!(await fraud.lift('block', params.scope, params.target, new Date())))
        throw new ApiError('NOT_FOUND', { message: 'No such active block.' });
      response.status(204).end();
    },
});

const listFraudAllowList = defineRoute({
  operationId: 'listFraudAllowList',
  method: 'GET',
  path: '/allow',
  scope,
  summary: 'The fraud guard’s allow-list',
  responses: [{ status: 200, description: 'The allow-list', body: fraudRuleList }],
  handle:
    ({ fraud }) =>
    async ({ response }) => {
      const allowed = await fraud.list('allow', new Date());
      response.json({ allow: allowed.map(view) });
    },
});

const allowFraudTarget = defineRoute({
  operationId: 'allowFraudTarget',
  method: 'PUT',
  path: '/allow/:scope/:target',
  scope,
  summary: 'Allow-list a prefix or number',
  parameters: ruleParameters(allowTargetSchema),
  body: { schema: allowBodySchema, name: 'FraudAllowBody', optional: true },
  responses: [{ status: 200, description: 'Allow-listed', body: fraudRule }],
  handle:
    ({ fraud }) =>
    async ({ response, params, body }) => {
      const { scope: ruleScope, target } = params;
      await fraud.allow(ruleScope, target, body.note, new Date());
      response.json({ scope: ruleScope, target, ...(body.note ? { note: body.note } : {}) });
    },
});

const removeFraudAllow = defineRoute({
  operationId: 'removeFraudAllow',
  method: 'DELETE',
  path: '/allow/:scope/:target',
  scope,
  summary: 'Remove an allow-list entry',
  parameters: ruleParameters(allowTargetSchema),
  responses: [{ status: 204, description: 'Removed' }],
  errors: ['NotFound'],
  handle:
    ({ fraud }) =>
    async ({ response, params }) => {
      if (!(await fraud.lift('allow', params.scope, params.target, new Date())))
        throw new ApiError('NOT_FOUND', { message: 'No such allow-list entry.' });
      response.status(204).end();
    },
});

export const FRAUD_ADMIN_ROUTES: RouteGroup = {
  api: 'native',
  mounts: [{ prefix: '/v1/admin/fraud', operationSuffix: '' }],
  routes: [
    listFraudBlocks,
    liftFraudBlock,
    listFraudAllowList,
    allowFraudTarget,
    removeFraudAllow,
    listFraudThrottles,
  ],
};
