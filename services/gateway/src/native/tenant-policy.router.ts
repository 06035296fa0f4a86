import { Router } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { SCOPES } from '../auth/scopes.js';
import { authorize, principalOf } from '../http/authorize.js';
import { acceptsJson } from '../http/body.js';
import { methodNotAllowed } from '../http/error-handler.js';
import { nameRoute } from '../http/http-metrics.js';
import type { Limits } from '../otp/limits.js';
import type { PolicyStore } from '../policies/policy.store.js';

/**
 * GET /v1/policy: the calling tenant's own policy (scope `otpflow:templates`), read-only. The client
 * id comes from the credential, never from the request, so there is nothing to point at another
 * tenant; changing a policy is platform administration (/v1/admin/policies).
 */
export function tenantPolicyRouter(options: {
  authenticator: Authenticator;
  limits: Limits;
  policies: PolicyStore;
}): Router {
  const router = Router();
  const gate = [nameRoute, authorize(options.authenticator, options.limits, SCOPES.templates), acceptsJson];

  router.get('/', ...gate, async (_request, response) => {
    const { clientId } = principalOf(response.locals);
    const [{ policy }, stored] = await Promise.all([
      options.policies.effective(clientId),
      options.policies.stored(clientId),
    ]);
    response.json({ clientId, policy, stored: stored ?? {} });
  });

  router.all('/', nameRoute, methodNotAllowed(['GET']));
  return router;
}
