import type { Request } from 'express';

/**
 * The client's address when it reached us through the trusted proxies (express fills `ips` only
 * then): the address of an end user behind an ingress, which the fraud guard may count. A direct
 * caller is a tenant's backend, whose one address says nothing about the end users.
 */
export function forwardedFor(request: Request): { forwardedFor?: string } {
  return request.ips.length > 0 && request.ip ? { forwardedFor: request.ip } : {};
}
