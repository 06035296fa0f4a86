import { ApiError } from '@otpflow/errors';
import { Router, type Express, type RequestHandler } from 'express';
import type { z } from 'zod';
import type { Authenticator } from '../auth/authenticator.js';
import { authorize, principalOf } from './authorize.js';
import { acceptsJson, jsonBody, parseBody } from './body.js';
import { methodNotAllowed } from './error-handler.js';
import { nameRoute } from './http-metrics.js';
import type { ApiRoute, PathParameter, RouteDependencies, RouteGroup } from './route.js';

export interface MountOptions {
  authenticator: Authenticator;
  deps: RouteDependencies;
}

/**
 * The first gate of a group's routes: the metric label, and for CAMARA the error format (its error
 * bodies are exactly `{status, code, message}`: no native `details`). One gate, not two, as it runs
 * on every request.
 */
function enterRoute(api: RouteGroup['api']): RequestHandler {
  if (api !== 'camara') return nameRoute;
  return (request, response, next) => {
    response.locals.errorFormat = 'camara';
    nameRoute(request, response, next);
  };
}

/** A path parameter by its schema; the 400 names it. */
function parsePathParameter(parameter: PathParameter, value: unknown): string {
  if (!parameter.schema) return String(value);
  const parsed = parameter.schema.safeParse(value);
  if (!parsed.success)
    throw new ApiError('INVALID_ARGUMENT', {
      message: `${parameter.name}: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
      details: { field: parameter.name },
    });
  return parsed.data;
}

/**
 * The route's gates, in the order every route runs them: the metric label and the error format, then
 * authentication (401) and scope (403) and the client's request rate (429), content negotiation (406,
 * 415), the body's size and syntax (400); then its path parameters and body by their schemas (400),
 * then the handler.
 */
function routeHandlers(route: ApiRoute, group: RouteGroup, options: MountOptions): RequestHandler[] {
  const { bodyLimitBytes } = options.deps.settings;
  const body = route.body;
  const schema: z.ZodType | undefined =
    body && (typeof body.schema === 'function' ? body.schema(options.deps.settings) : body.schema);
  const handle = route.handle(options.deps);
  const run: RequestHandler = async (request, response) => {
    const params: Record<string, string> = {};
    for (const parameter of route.parameters ?? [])
      params[parameter.name] = parsePathParameter(parameter, request.params[parameter.name]);
    await handle({
      request,
      response,
      principal: principalOf(response.locals),
      params,
      body: schema ? parseBody(schema, request.body) : undefined,
    });
  };
  return [
    enterRoute(group.api),
    authorize(options.authenticator, options.deps.limits, route.scope),
    acceptsJson,
    ...(body ? [jsonBody(bodyLimitBytes, { optional: body.optional ?? false })] : []),
    run,
  ];
}

/** One group's router: its routes, then a 405 with `Allow` for every other method on their paths. */
function groupRouter(group: RouteGroup, options: MountOptions): Router {
  const router = Router();
  const methodsByPath = new Map<string, string[]>();
  for (const route of group.routes) {
    const handlers = routeHandlers(route, group, options);
    const path = router.route(route.path);
    if (route.method === 'GET') path.get(...handlers);
    else if (route.method === 'POST') path.post(...handlers);
    else if (route.method === 'PUT') path.put(...handlers);
    else if (route.method === 'PATCH') path.patch(...handlers);
    else path.delete(...handlers);
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
  }
  for (const [path, methods] of methodsByPath) {
    router.all(path, enterRoute(group.api), methodNotAllowed(methods));
  }
  return router;
}

/** Serves every group of the table at each of its mounts. */
export function mountRoutes(app: Express, groups: readonly RouteGroup[], options: MountOptions): void {
  for (const group of groups) {
    const router = groupRouter(group, options);
    for (const mount of group.mounts) app.use(mount.prefix, router);
  }
}
