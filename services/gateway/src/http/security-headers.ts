import type { RequestHandler } from 'express';

/**
 * Runs first, so every answer carries these, errors and the ops endpoints included. An API answer may
 * hold a session id, a verification's state or a tenant's policy: `no-store` keeps it out of every
 * proxy and browser cache. `nosniff` makes a browser take a JSON answer for JSON, never a script or a
 * page. What may be cached (the OpenAPI document, the reference page) says so itself (`cacheable`).
 */
export const securityHeaders: RequestHandler = (_request, response, next) => {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  next();
};

/** For public documents that hold no data: cacheable for `maxAgeSeconds`, shared caches included. */
export function cacheable(maxAgeSeconds: number): RequestHandler {
  return (_request, response, next) => {
    response.setHeader('Cache-Control', `public, max-age=${maxAgeSeconds}`);
    next();
  };
}
