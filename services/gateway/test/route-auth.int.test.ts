import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  TEMPLATES_B_KEY,
  TEMPLATES_KEY,
  TEST_NUMBER,
  startHarness,
  type GatewayHarness,
} from './gateway-harness.js';
import { routeAuthorizationSuite, SCOPE, type RouteSample } from './route-auth-suite.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Every operation of the API, with the scope it must need. Written out by hand: the test below checks
 * that the OpenAPI document lists exactly these operations with exactly these scopes, so a new route
 * cannot ship without its authorization being tested.
 */
const ROUTES: readonly RouteSample[] = [
  ...['/one-time-password-sms/v1', '/otpvalidation'].flatMap((mount): RouteSample[] => [
    {
      method: 'POST',
      path: `${mount}/send-code`,
      body: { phoneNumber: TEST_NUMBER, message: '{{code}}' },
      scope: SCOPE.camara,
    },
    {
      method: 'POST',
      path: `${mount}/validate-code`,
      body: { authenticationId: UNKNOWN_ID, code: '123456' },
      scope: SCOPE.camara,
    },
  ]),
  { method: 'POST', path: '/v1/verifications', body: { to: TEST_NUMBER }, scope: SCOPE.verifications },
  { method: 'GET', path: '/v1/verifications', scope: SCOPE.verifications },
  { method: 'GET', path: `/v1/verifications/${UNKNOWN_ID}`, scope: SCOPE.verifications },
  {
    method: 'GET',
    path: '/v1/analytics/conversion?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z',
    scope: SCOPE.verifications,
  },
  {
    method: 'POST',
    path: `/v1/verifications/${UNKNOWN_ID}/check`,
    body: { code: '123456' },
    scope: SCOPE.verifications,
  },
  { method: 'POST', path: `/v1/verifications/${UNKNOWN_ID}/cancel`, scope: SCOPE.verifications },
  { method: 'POST', path: `/v1/verifications/${UNKNOWN_ID}/resend`, body: {}, scope: SCOPE.verifications },
  { method: 'GET', path: '/v1/templates', scope: SCOPE.templates },
  {
    method: 'PUT',
    path: '/v1/templates/auth-suite/en',
    body: { text: 'Your code: {{code}}' },
    scope: SCOPE.templates,
  },
  { method: 'GET', path: '/v1/templates/auth-suite/en', scope: SCOPE.templates },
  { method: 'DELETE', path: '/v1/templates/auth-suite/en', scope: SCOPE.templates },
  { method: 'GET', path: '/v1/policy', scope: SCOPE.templates },
  { method: 'GET', path: '/v1/webhooks', scope: SCOPE.templates },
  {
    method: 'POST',
    path: '/v1/webhooks',
    body: { url: 'https://hooks.example.com/auth-suite', events: ['verification.sent'] },
    scope: SCOPE.templates,
  },
  { method: 'GET', path: '/v1/webhooks/ep_authsuite0000000', scope: SCOPE.templates },
  {
    method: 'PATCH',
    path: '/v1/webhooks/ep_authsuite0000000',
    body: { enabled: false },
    scope: SCOPE.templates,
  },
  { method: 'DELETE', path: '/v1/webhooks/ep_authsuite0000000', scope: SCOPE.templates },
  { method: 'POST', path: '/v1/webhooks/ep_authsuite0000000/secret', scope: SCOPE.templates },
  { method: 'GET', path: '/v1/admin/policies/client-b', scope: SCOPE.admin },
  {
    method: 'PUT',
    path: '/v1/admin/policies/client-b',
    body: { resendIntervalSeconds: 30 },
    scope: SCOPE.admin,
  },
  { method: 'DELETE', path: '/v1/admin/policies/client-b', scope: SCOPE.admin },
  { method: 'GET', path: '/v1/admin/fraud/blocks', scope: SCOPE.admin },
  { method: 'DELETE', path: '/v1/admin/fraud/blocks/*/%2B34600', scope: SCOPE.admin },
  { method: 'GET', path: '/v1/admin/fraud/allow', scope: SCOPE.admin },
  { method: 'PUT', path: '/v1/admin/fraud/allow/*/%2B34600', body: {}, scope: SCOPE.admin },
  { method: 'DELETE', path: '/v1/admin/fraud/allow/*/%2B34600', scope: SCOPE.admin },
  { method: 'GET', path: '/v1/admin/fraud/throttles', scope: SCOPE.admin },
];

/** `/v1/templates/auth-suite/en` → `/v1/templates/{id}/{locale}`, matched against the document's templates. */
function templateOf(path: string, templates: string[]): string | undefined {
  const bare = path.split('?')[0] ?? path;
  return templates.find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare));
}

interface DocumentedOperation {
  'x-otpflow-scope'?: string;
  security?: Record<string, string[]>[];
}

describe('authorization of every route', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('route-auth');
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('covers every documented operation, with the scope the document states', async () => {
    const document = (await (await fetch(`${harness.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, DocumentedOperation>>;
    };
    const templates = Object.keys(document.paths);
    const documented = templates.flatMap((template) =>
      Object.entries(document.paths[template] ?? {})
        .filter(([method]) => ['get', 'put', 'post', 'delete', 'patch'].includes(method))
        .map(([method, operation]) => ({
          name: `${method.toUpperCase()} ${template}`,
          scope: operation['x-otpflow-scope'] ?? operation.security?.find((item) => item.openId)?.openId?.[0],
        })),
    );
    const tested = ROUTES.map((route) => ({
      name: `${route.method} ${templateOf(route.path, templates) ?? route.path}`,
      scope: route.scope,
    }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(tested.sort(byName)).toEqual(documented.sort(byName));
  });

  for (const route of ROUTES) routeAuthorizationSuite(() => harness, route);

  describe('tenant administration stays within its tenant', () => {
    const as = (key: string) => (method: string, path: string, body?: unknown) =>
      harness.call(method, path, body, { key });
    const tenantA = as(TEMPLATES_KEY);
    const tenantB = as(TEMPLATES_B_KEY);

    it("never shows, changes or deletes another tenant's templates", async () => {
      expect((await tenantA('PUT', '/v1/templates/isolated/en', { text: 'A: {{code}}' })).status).toBe(201);
      expect((await tenantB('GET', '/v1/templates/isolated/en')).status).toBe(404);
      expect((await tenantB('DELETE', '/v1/templates/isolated/en')).status).toBe(404);
      const listed = (await tenantB('GET', '/v1/templates')).body as { templates: { id: string }[] };
      expect(listed.templates.map((template) => template.id)).not.toContain('isolated');
      // B's template of the same name is B's own; A's stays as it was.
      expect((await tenantB('PUT', '/v1/templates/isolated/en', { text: 'B: {{code}}' })).status).toBe(201);
      expect((await tenantA('GET', '/v1/templates/isolated/en')).body).toMatchObject({ text: 'A: {{code}}' });
    });

    it("never shows, changes, rotates or deletes another tenant's webhook endpoints", async () => {
      const created = await tenantA('POST', '/v1/webhooks', {
        url: 'https://hooks.example.com/a',
        events: ['verification.approved'],
      });
      expect(created.status).toBe(201);
      const { id } = created.body as { id: string; secret: string };
      expect((await tenantB('GET', `/v1/webhooks/${id}`)).status).toBe(404);
      expect((await tenantB('PATCH', `/v1/webhooks/${id}`, { enabled: false })).status).toBe(404);
      expect((await tenantB('POST', `/v1/webhooks/${id}/secret`)).status).toBe(404);
      expect((await tenantB('DELETE', `/v1/webhooks/${id}`)).status).toBe(404);
      const listed = (await tenantB('GET', '/v1/webhooks')).body as { webhooks: { id: string }[] };
      expect(listed.webhooks.map((webhook) => webhook.id)).not.toContain(id);
      expect((await tenantA('GET', `/v1/webhooks/${id}`)).body).toMatchObject({ id, enabled: true });
    });

    it('reads its own policy, and only its own', async () => {
      const stored = await harness.call(
        'PUT',
        '/v1/admin/policies/client-b',
        { maxAttempts: { default: 2, min: 1, max: 2 } },
        { key: ADMIN_KEY },
      );
      expect(stored.status).toBe(200);
      const own = await tenantA('GET', '/v1/policy');
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ clientId: 'client-a', stored: {} });
      expect(await tenantB('GET', '/v1/policy')).toMatchObject({
        status: 200,
        body: { clientId: 'client-b', stored: { maxAttempts: { default: 2 } } },
      });
      // The platform route is not a tenant's, not even for its own id.
      expect((await tenantA('GET', '/v1/admin/policies/client-a')).status).toBe(403);
      expect(
        (await tenantA('PUT', '/v1/admin/policies/client-b', { maxAttempts: { default: 20 } })).status,
      ).toBe(403);
      expect(
        (await harness.call('DELETE', '/v1/admin/policies/client-b', undefined, { key: ADMIN_KEY })).status,
      ).toBe(204);
    });
  });
});
