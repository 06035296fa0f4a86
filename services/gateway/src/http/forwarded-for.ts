import type { Request } from 'express';

/**
 * `request.ip` (which honours TRUST_PROXY_HOPS), without proxy-addr's parsing on every request: a
 * request no proxy forwarded (no X-Forwarded-For) comes from its socket's address, whatever the hops.
 */
export function clientAddress(request: Request): string | undefined {
  return request.headers['x-forwarded-for'] === undefined ? request.socket.remoteAddress : request.ip;
}

/**
 * The client's address when it reached us through the trusted proxies (express fills `ips` only
 * then): the address of an end user behind an ingress, which the fraud guard may count. A direct
 * caller is a tenant's backend, whose one address says nothing about the end users.
 */
export function forwardedFor(request: Request): { forwardedFor?: string } {
  if (request.headers['x-forwarded-for'] === undefined) return {};
  return request.ips.length > 0 && request.ip ? { forwardedFor: request.ip } : {};
}
