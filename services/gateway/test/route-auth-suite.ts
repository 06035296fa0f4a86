import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CAMARA_ONLY_KEY,
  CLIENT_A_KEY,
  NO_SCOPE_KEY,
  TEMPLATES_KEY,
  VERIFICATIONS_ONLY_KEY,
  type GatewayHarness,
} from './gateway-harness.js';

/** The scopes, spelled out here rather than imported: the suite is an oracle independent of the code. */
export const SCOPE = {
  camara: 'one-time-password-sms:send-validate',
  verifications: 'otpflow:verifications',
  templates: 'otpflow:templates',
  admin: 'otpflow:admin',
} as const;
export type ExpectedScope = (typeof SCOPE)[keyof typeof SCOPE];

/** One credential of each kind the gateway hands out, with the scopes it holds. */
export const CREDENTIALS: readonly { label: string; key: string; scopes: readonly ExpectedScope[] }[] = [
  { label: 'a CAMARA-only key', key: CAMARA_ONLY_KEY, scopes: [SCOPE.camara] },
  { label: 'a native-verifications-only key', key: VERIFICATIONS_ONLY_KEY, scopes: [SCOPE.verifications] },
  { label: 'a default key', key: CLIENT_A_KEY, scopes: [SCOPE.camara, SCOPE.verifications] },
  { label: "a tenant's administration key", key: TEMPLATES_KEY, scopes: [SCOPE.templates] },
  { label: 'the platform administration key', key: ADMIN_KEY, scopes: [SCOPE.admin] },
  { label: 'a key with no known scope', key: NO_SCOPE_KEY, scopes: [] },
];

/** A request aimed at one operation, with a body it would accept when authorized. */
export interface RouteSample {
  method: string;
  path: string;
  body?: unknown;
  scope: ExpectedScope;
}

/** Credentials that must never pass authentication, whatever the route. */
const NOT_CREDENTIALS: readonly { label: string; authorization: string | undefined }[] = [
  { label: 'no Authorization header', authorization: undefined },
  { label: 'an unknown key', authorization: `Bearer unknown-key-${randomUUID()}` },
  { label: 'a malformed header', authorization: `Basic ${CLIENT_A_KEY}` },
  // JWT-shaped: with OIDC off it is looked up as an API key, and no key has that shape.
  { label: 'a JWT-shaped credential', authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
];

/**
 * The authorization tests every route shares (the shape of Unkey's common route tests): nothing that
 * is not a credential gets past 401, every credential without the route's scope gets 403
 * PERMISSION_DENIED, and a credential with it gets through to the route itself.
 */
export function routeAuthorizationSuite(harness: () => GatewayHarness, route: RouteSample): void {
  const name = `${route.method} ${route.path}`;
  const call = (options: { key?: string | null; headers?: Record<string, string> }) =>
    harness().call(route.method, route.path, route.body, options);

  it(`${name}: 401 UNAUTHENTICATED without a valid credential`, async () => {
    for (const { label, authorization } of NOT_CREDENTIALS) {
      const answer = await call({ key: null, ...(authorization ? { headers: { authorization } } : {}) });
      expect(answer, label).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    }
  });

  for (const credential of CREDENTIALS) {
    const allowed = credential.scopes.includes(route.scope);
    it(`${name}: ${allowed ? 'passes' : '403 PERMISSION_DENIED for'} ${credential.label}`, async () => {
      const answer = await call({ key: credential.key });
      if (allowed) {
        expect(answer.status, JSON.stringify(answer.body)).not.toBe(401);
        expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
        expect((answer.body as { code?: string } | undefined)?.code).not.toBe('PERMISSION_DENIED');
      } else {
        expect(answer, JSON.stringify(answer.body)).toMatchObject({
          status: 403,
          body: { code: 'PERMISSION_DENIED' },
        });
      }
    });
  }
}
