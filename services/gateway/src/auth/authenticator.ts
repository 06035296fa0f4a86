import { ApiError } from '@otpflow/errors';
import type { ApiKeyRegistry } from './api-keys.js';
import type { FailedAuthLimiter } from './failed-auth-limiter.js';
import type { JwtVerifier } from './jwt-verifier.js';
import type { Principal } from './principal.js';
import { sourceOf } from './source-address.js';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * `Authorization: Bearer <credential>`, where the credential is either a JWT access token (three
 * base64url parts) or an API key. Every failure is the same UNAUTHENTICATED, whatever went wrong, so
 * the answer tells an attacker nothing about which keys or tokens exist; and each one counts against
 * the source address, which past its limit gets 429 before its credential is even looked at.
 */
export class Authenticator {
  constructor(
    private readonly apiKeys: ApiKeyRegistry,
    private readonly jwt: JwtVerifier | undefined,
    private readonly failures: FailedAuthLimiter,
  ) {}

  async authenticate(authorization: string | undefined, address: string | undefined): Promise<Principal> {
    const source = sourceOf(address);
    this.failures.check(source);
    try {
      return await this.verify(authorization);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') this.failures.record(source);
      throw error;
    }
  }

  private async verify(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(authorization?.trim() ?? '');
    const credential = match?.[1];
    if (!credential) throw new ApiError('UNAUTHENTICATED');
    if (this.jwt && JWT_SHAPE.test(credential)) return this.jwt.verify(credential);
    const principal = this.apiKeys.lookup(credential);
    if (!principal) throw new ApiError('UNAUTHENTICATED');
    return principal;
  }
}

/** 403 unless the principal holds the scope. */
export function requireScope(principal: Principal, scope: string): void {
  if (!principal.scopes.has(scope)) throw new ApiError('PERMISSION_DENIED');
}
