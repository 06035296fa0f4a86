import { ApiError } from '@otpflow/errors';
import { Router } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticator.js';
import { SCOPES } from '../auth/scopes.js';
import { tenantIdSchema } from '../auth/tenant.js';
import { authorize } from '../http/authorize.js';
import { acceptsJson, jsonBody, parseBody } from '../http/body.js';
import { methodNotAllowed } from '../http/error-handler.js';
import { nameRoute } from '../http/http-metrics.js';
import type { Limits } from '../otp/limits.js';
import type { FraudStore, RuleDocument } from './fraud-store.js';

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

function paramOf<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ApiError('INVALID_ARGUMENT', {
      message: `${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
      details: { field },
    });
  return parsed.data;
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

/**
 * /v1/admin/fraud (scope `otpflow:admin`): the fraud guard's rules. GET /blocks lists the active
 * blocks; DELETE /blocks/{scope}/{target} lifts one (a repeat still counts as a repeat); GET /allow,
 * PUT and DELETE /allow/{scope}/{target} manage the allow-list. Targets are URL-encoded (`%2B34`,
 * `%2F24`). Changes reach every gateway within FRAUD_SYNC_INTERVAL_MS.
 */
export function fraudAdminRouter(options: {
  authenticator: Authenticator;
  limits: Limits;
  fraud: FraudStore;
  bodyLimitBytes: number;
}): Router {
  const router = Router();
  const gate = [nameRoute, authorize(options.authenticator, options.limits, SCOPES.admin), acceptsJson];
  const ruleOf = (params: Record<string, unknown>, target: z.ZodType<string>) => ({
    scope: paramOf(scopeSchema, params.scope, 'scope'),
    target: paramOf(target, params.target, 'target'),
  });

  router.get('/blocks', ...gate, async (_request, response) => {
    const blocks = await options.fraud.list('block', new Date());
    response.json({ blocks: blocks.map(view) });
  });

  router.delete('/blocks/:scope/:target', ...gate, async (request, response) => {
    const { scope, target } = ruleOf(request.params, blockTargetSchema);
    if (!(await options.fraud.lift('block', scope, target, new Date())))
      throw new ApiError('NOT_FOUND', { message: 'No such active block.' });
    response.status(204).end();
  });

  router.get('/allow', ...gate, async (_request, response) => {
    const allowed = await options.fraud.list('allow', new Date());
    response.json({ allow: allowed.map(view) });
  });

  router.put(
    '/allow/:scope/:target',
    ...gate,
    ...jsonBody(options.bodyLimitBytes, { optional: true }),
    async (request, response) => {
      const { scope, target } = ruleOf(request.params, allowTargetSchema);
      const body = parseBody(allowBodySchema, request.body ?? {});
      await options.fraud.allow(scope, target, body.note, new Date());
      response.json({ scope, target, ...(body.note ? { note: body.note } : {}) });
    },
  );

  router.delete('/allow/:scope/:target', ...gate, async (request, response) => {
    const { scope, target } = ruleOf(request.params, allowTargetSchema);
    if (!(await options.fraud.lift('allow', scope, target, new Date())))
      throw new ApiError('NOT_FOUND', { message: 'No such allow-list entry.' });
    response.status(204).end();
  });

  router.all(['/blocks'], nameRoute, methodNotAllowed(['GET']));
  router.all(['/allow'], nameRoute, methodNotAllowed(['GET']));
  router.all(['/blocks/:scope/:target'], nameRoute, methodNotAllowed(['DELETE']));
  router.all(['/allow/:scope/:target'], nameRoute, methodNotAllowed(['PUT', 'DELETE']));
  return router;
}
