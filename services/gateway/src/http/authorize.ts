import type { RequestHandler } from 'express';
import { requireScope, type Authenticator } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import type { Limits } from '../otp/limits.js';
import { clientAddress } from './forwarded-for.js';

/**
 * The first gate of every API route: authenticate (401, or 429 for a source address past its failed
 * authentications), require the route's scope (403), then count the request against the client's rate
 * (429). Leaves the principal in `res.locals`.
 */
export function authorize(authenticator: Authenticator, limits: Limits, scope: string): RequestHandler {
  // Express 5 forwards a rejected promise to the error handler; success must still call next().
  return async (request, response, next) => {
    const principal = await authenticator.authenticate(request.headers.authorization, clientAddress(request));
    requireScope(principal, scope);
    await limits.checkRequestRate(principal.clientId);
    response.locals.principal = principal;
    next();
  };
}

/** The principal `authorize` left; a route without it is a wiring bug, not a client error. */
export function principalOf(locals: Express.Locals): Principal {
  if (!locals.principal) throw new Error('route reached without an authenticated principal');
  return locals.principal;
}
