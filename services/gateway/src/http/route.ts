import type { JobKey } from '@otpflow/contracts';
import type { DeliveryModel, WebhookEndpoints } from '@otpflow/mongo';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { Scope } from '../auth/scopes.js';
import type { FraudStore, SignalFraudGuard } from '@otpflow/fraud';
import type { ReadModelReader } from '../listing/read-models.reader.js';
import type { CodeChecker } from '../otp/code-checker.js';
import type { CodeIssuer } from '../otp/code-issuer.js';
import type { Limits } from '../otp/limits.js';
import type { PolicyStore } from '../policies/policy.store.js';
import type { TemplateStore } from '../templates/template.store.js';
import type { IdempotencyStore } from './idempotency.js';

/**
 * One route of the API, declared once: from it come the express route and its gates, the 405 answer
 * of its path, its OpenAPI operation, and the plans of the tests that run against every route (the
 * protocol suite, the fuzzer). `docs/ARCHITECTURE.md` says how to add one.
 */

type JsonObject = Record<string, unknown>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route's handler may use: the gateway's domain, never the HTTP gates (they run before). */
export interface RouteDependencies {
  limits: Limits;
  policies: PolicyStore;
  templates: TemplateStore;
  issuer: CodeIssuer;
  checker: CodeChecker;
  deliveries: DeliveryModel;
  idempotency: IdempotencyStore;
  /** The read models of the events (listing, conversion), which the dispatcher's projector keeps. */
  readModels: ReadModelReader;
  /** The fraud guard's blocks and allow-list (/v1/admin/fraud). */
  fraud: FraudStore;
  /** This replica's fraud guard, for what only its memory holds: the throttle budgets it judges by. */
  fraudGuard: Pick<SignalFraudGuard, 'throttles'>;
  /** The tenants' status callback endpoints (/v1/webhooks). */
  webhooks: WebhookDependencies;
  settings: RouteSettings;
}

export interface WebhookDependencies {
  endpoints: WebhookEndpoints;
  /** Seals each endpoint's secret at rest (the send jobs' keys: the dispatcher opens it to sign). */
  jobKeys: readonly JobKey[];
  /** Plain http endpoints (WEBHOOK_ALLOW_HTTP: development and tests only, production refuses it). */
  allowHttp: boolean;
  /** localhost and internal IP literals (CALLBACK_ALLOW_PRIVATE_ADDRESSES: development and tests only). */
  allowPrivateAddresses: boolean;
}

export interface RouteSettings {
  bodyLimitBytes: number;
  messageMaxLength: number;
}

/** A named JSON Schema component: from a zod schema, or written out where zod has no such shape. */
export type ComponentSchema = { name: string } & ({ schema: z.ZodType } | { json: JsonObject });

/** A path parameter: documented, and, with a schema, checked before the body (400 naming it). */
export interface PathParameter<Name extends string = string> {
  name: Name;
  /** Checked by the route's gates; without one the handler treats the raw value (e.g. an unknown id is a 404). */
  schema?: z.ZodType<string>;
  /** Its OpenAPI parameter object, less `name`, `in` and `required`. */
  doc: JsonObject;
}

/** A query parameter, documented; the handler reads the query through its zod schema (400 naming the field). */
export interface QueryParameter {
  name: string;
  required?: boolean;
  /** Its OpenAPI parameter object, less `name`, `in` and `required`. */
  doc: JsonObject;
}

/** A successful answer, as documented. */
export interface RouteResponse {
  status: number;
  description: string;
  body?: ComponentSchema;
}

/** The errors beyond those every route may answer (400, 401, 403, 406, 429, 503; 415 with a body). */
export type RouteError = 'NotFound' | 'Conflict';

/**
 * What a handler gets: the request, with its principal, path parameters and body already checked.
 * `params` holds exactly the route's declared parameters, so a handler never re-checks one.
 */
export interface RouteCall<Body, Param extends string = never> {
  request: Request;
  response: Response;
  principal: Principal;
  params: Readonly<Record<Param, string>>;
  body: Body;
}

export interface RouteSpec<B extends z.ZodType, P extends string = never> {
  /** Unique in the API; the OpenAPI operation id (a CAMARA route: the spec's). */
  operationId: string;
  method: HttpMethod;
  /** Express-style, below the group's mount: `/`, `/:id/check`. The route's metric label is mount + path. */
  path: string;
  scope: Scope;
  summary: string;
  parameters?: readonly PathParameter<P>[];
  query?: readonly QueryParameter[];
  /** Said in the document after the scope the route needs. */
  description?: string;
  /** Takes an `Idempotency-Key` header. */
  idempotent?: boolean;
  body?: {
    /** The settings-dependent bodies (CAMARA's message length) are a function of the settings. */
    schema: B | ((settings: RouteSettings) => B);
    /** Its OpenAPI component (native routes; CAMARA's document is the published spec). */
    name?: string;
    /** May be left out entirely, and reads as `{}`. */
    optional?: boolean;
  };
  responses: readonly RouteResponse[];
  errors?: readonly RouteError[];
  handle: (deps: RouteDependencies) => (call: RouteCall<z.output<B>, P>) => Promise<void>;
}

/** A declared route, its body and parameter types erased so that every route shares one table. */
export type ApiRoute = RouteSpec<z.ZodType, string>;

/**
 * Declares a route; the type parameters let the handler see its body's type and its parameters by
 * name (the gates fill every declared one before the handler runs).
 */
export function defineRoute<B extends z.ZodType = z.ZodUnknown, P extends string = never>(
  spec: RouteSpec<B, P>,
): ApiRoute {
  return spec;
}

/** A prefix a group is served under; a second mount's operation ids get a suffix to stay unique. */
export interface Mount {
  prefix: string;
  operationSuffix: string;
}

/** Routes served under the same mounts, with the same error format. */
export interface RouteGroup {
  api: 'camara' | 'native';
  mounts: readonly Mount[];
  routes: readonly ApiRoute[];
}

/** `/v1/templates` + `/:id/:locale` → `/v1/templates/{id}/{locale}`; a mount's root is the mount. */
export function pathTemplate(prefix: string, path: string): string {
  const relative = path === '/' ? '' : path;
  return `${prefix}${relative.replace(/:([A-Za-z]+)/g, '{$1}')}`;
}

/** Every operation of the table, as the OpenAPI document and the route-wide tests name it. */
export interface ListedOperation {
  operationId: string;
  method: HttpMethod;
  /** The OpenAPI path template. */
  template: string;
  scope: Scope;
  api: RouteGroup['api'];
  route: ApiRoute;
}

export function listOperations(groups: readonly RouteGroup[]): ListedOperation[] {
  return groups.flatMap((group) =>
    group.mounts.flatMap((mount) =>
      group.routes.map((route) => ({
        operationId: `${route.operationId}${mount.operationSuffix}`,
        method: route.method,
        template: pathTemplate(mount.prefix, route.path),
        scope: route.scope,
        api: group.api,
        route,
      })),
    ),
  );
}
