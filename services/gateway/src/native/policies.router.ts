import { ApiError } from '@otpflow/errors';
import { Router } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { SCOPES } from '../auth/scopes.js';
import { tenantIdSchema } from '../auth/tenant.js';
import { authorize } from '../http/authorize.js';
import { acceptsJson, jsonBody, parseBody } from '../http/body.js';
import { methodNotAllowed } from '../http/error-handler.js';
import { nameRoute } from '../http/http-metrics.js';
import type { Limits } from '../otp/limits.js';
import { storedPolicySchema } from '../policies/client-policy.js';
import type { PolicyStore } from '../policies/policy.store.js';

function clientIdOf(value: unknown): string {
  const parsed = tenantIdSchema.safeParse(value);
  if (!parsed.success)
    throw new ApiError('INVALID_ARGUMENT', {
      message: `clientId: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
      details: { field: 'clientId' },
    });
  return parsed.data;
}

/**
 * /v1/admin/policies/{clientId}: platform administration (scope `otpflow:admin`), the operator's view
 * of every client's policy; a tenant reads its own at /v1/policy. GET shows the effective
 * policy and what is stored; PUT replaces the stored part (checked as a whole); DELETE returns the
 * client to the deployment's defaults. Changes reach every gateway within the policy cache time.
 */
export function policiesRouter(options: {
  authenticator: Authenticator;
  limits: Limits;
  policies: PolicyStore;
  bodyLimitBytes: number;
}): Router {
  const router = Router();
  const gate = [nameRoute, authorize(options.authenticator, options.limits, SCOPES.admin), acceptsJson];

  router.get('/:clientId', ...gate, async (request, response) => {
    const clientId = clientIdOf(request.params.clientId);
    const [{ policy }, stored] = await Promise.all([
      options.policies.effective(clientId),
      options.policies.stored(clientId),
    ]);
    response.json({ clientId, policy, stored: stored ?? {} });
  });

  router.put('/:clientId', ...gate, ...jsonBody(options.bodyLimitBytes), async (request, response) => {
    const clientId = clientIdOf(request.params.clientId);
    const stored = parseBody(storedPolicySchema, request.body);
    const policy = await options.policies.put(clientId, stored);
    response.json({ clientId, policy, stored });
  });

  router.delete('/:clientId', ...gate, async (request, response) => {
    await options.policies.remove(clientIdOf(request.params.clientId));
    response.status(204).end();
  });

  router.all('/:clientId', nameRoute, methodNotAllowed(['GET', 'PUT', 'DELETE']));
  return router;
}
