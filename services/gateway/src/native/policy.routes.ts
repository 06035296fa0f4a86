import { SCOPES } from '../auth/scopes.js';
import { tenantIdSchema } from '../auth/tenant.js';
import { defineRoute, type ComponentSchema, type PathParameter, type RouteGroup } from '../http/route.js';
import { storedPolicySchema } from '../policies/client-policy.js';
import type { PolicyStore } from '../policies/policy.store.js';

/** What a policy read answers: the effective policy and the stored part it was made from. */
const policyView: ComponentSchema = {
  name: 'PolicyView',
  json: {
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
};

async function readPolicy(policies: PolicyStore, clientId: string) {
  const [{ policy }, stored] = await Promise.all([policies.effective(clientId), policies.stored(clientId)]);
  return { clientId, policy, stored: stored ?? {} };
}

/**
 * GET /v1/policy: the calling tenant's own policy (scope `otpflow:templates`), read-only. The client
 * id comes from the credential, never from the request, so there is nothing to point at another
 * tenant; changing a policy is platform administration (/v1/admin/policies).
 */
const getOwnPolicy = defineRoute({
  operationId: 'getOwnPolicy',
  method: 'GET',
  path: '/',
  scope: SCOPES.templates,
  summary: 'The calling tenant’s effective and stored policy',
  responses: [{ status: 200, description: 'The policy', body: policyView }],
  handle:
    ({ policies }) =>
    async ({ response, principal }) => {
      response.json(await readPolicy(policies, principal.clientId));
    },
});

export const TENANT_POLICY_ROUTES: RouteGroup = {
  api: 'native',
  mounts: [{ prefix: '/v1/policy', operationSuffix: '' }],
  routes: [getOwnPolicy],
};

const clientIdParameter: readonly PathParameter<'clientId'>[] = [
  {
    name: 'clientId',
    schema: tenantIdSchema,
    doc: {
      description: 'An API-key client id, or `oidc:<claim value>` for a tenant authenticated by OIDC.',
      schema: { type: 'string', pattern: '^([a-zA-Z0-9._-]{1,128}|oidc:[\\x21-\\x7e]{1,128})$' },
    },
  },
];

const getPolicy = defineRoute({
  operationId: 'getPolicy',
  method: 'GET',
  path: '/:clientId',
  scope: SCOPES.admin,
  summary: 'A client’s effective and stored policy',
  parameters: clientIdParameter,
  responses: [{ status: 200, description: 'The policy', body: policyView }],
  handle:
    ({ policies }) =>
    async ({ response, params }) => {
      response.json(await readPolicy(policies, params.clientId));
    },
});

const putPolicy = defineRoute({
  operationId: 'putPolicy',
  method: 'PUT',
  path: '/:clientId',
  scope: SCOPES.admin,
  summary: 'Replace a client’s stored policy',
  parameters: clientIdParameter,
  body: { schema: storedPolicySchema, name: 'StoredPolicy' },
  responses: [{ status: 200, description: 'The new policy', body: policyView }],
  handle:
    ({ policies }) =>
    async ({ response, params: { clientId }, body: stored }) => {
      response.json({ clientId, policy: await policies.put(clientId, stored), stored });
    },
});

const deletePolicy = defineRoute({
  operationId: 'deletePolicy',
  method: 'DELETE',
  path: '/:clientId',
  scope: SCOPES.admin,
  summary: 'Return a client to the defaults',
  parameters: clientIdParameter,
  responses: [{ status: 204, description: 'Deleted' }],
  handle:
    ({ policies }) =>
    async ({ response, params }) => {
      await policies.remove(params.clientId);
      response.status(204).end();
    },
});

/**
 * /v1/admin/policies/{clientId}: platform administration (scope `otpflow:admin`), the operator's view
 * of every client's policy; a tenant reads its own at /v1/policy. GET shows the effective
 * policy and what is stored; PUT replaces the stored part (checked as a whole); DELETE returns the
 * client to the deployment's defaults. Changes reach every gateway within the policy cache time.
 */
export const ADMIN_POLICY_ROUTES: RouteGroup = {
  api: 'native',
  mounts: [{ prefix: '/v1/admin/policies', operationSuffix: '' }],
  routes: [getPolicy, putPolicy, deletePolicy],
};
