import { CAMARA_ROUTES } from './camara/camara.routes.js';
import { FRAUD_ADMIN_ROUTES } from './fraud/fraud-admin.routes.js';
import type { RouteGroup } from './http/route.js';
import { ANALYTICS_ROUTES } from './listing/listing.routes.js';
import { ADMIN_POLICY_ROUTES, TENANT_POLICY_ROUTES } from './native/policy.routes.js';
import { TEMPLATE_ROUTES } from './native/templates.routes.js';
import { VERIFICATION_ROUTES } from './native/verifications.routes.js';
import { WEBHOOK_ROUTES } from './native/webhooks.routes.js';

/**
 * The route table: every operation the gateway serves. The app mounts it, the OpenAPI document is
 * generated from it, and the tests that run against every route (protocol, fuzzing) read it.
 */
export const API_ROUTES: readonly RouteGroup[] = [
  CAMARA_ROUTES,
  VERIFICATION_ROUTES,
  ANALYTICS_ROUTES,
  TEMPLATE_ROUTES,
  TENANT_POLICY_ROUTES,
  WEBHOOK_ROUTES,
  ADMIN_POLICY_ROUTES,
  FRAUD_ADMIN_ROUTES,
];
