import { ApiError } from '@otpflow/errors';
import { describe, expect, it } from 'vitest';
import { ApiKeyRegistry } from './api-keys.js';
import { Authenticator, requireScope } from './authenticator.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { SCOPES } from './scopes.js';

const registry = new ApiKeyRegistry([
  'first-client-key-0000001:alpha',
  'second-client-key-000002:beta:one-time-password-sms:send-validate+admin.scope',
  'third-client-key-0000003:gamma:other.scope',
]);
const authenticator = new Authenticator(
  registry,
  undefined,
  new FailedAuthLimiter({ limit: 1000, windowSeconds: 60 }),
);

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as ApiError).code;
  }
};

describe('Authenticator with API keys', () => {
  it('maps a key to its client and scopes (both APIs by default; scopes may contain colons)', async () => {
    const alpha = await authenticator.authenticate('Bearer first-client-key-0000001', '127.0.0.1');
    expect(alpha.clientId).toBe('alpha');
    expect([...alpha.scopes]).toEqual([SCOPES.camara, SCOPES.verifications]);
    const beta = await authenticator.authenticate('bearer second-client-key-000002', '127.0.0.1');
    expect([...beta.scopes]).toEqual([SCOPES.camara, 'admin.scope']);
  });

  it('refuses anything else with UNAUTHENTICATED', async () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Token first-client-key-0000001',
      'Bearer first-client-key-000000',
    ]) {
      expect(await codeOf(authenticator.authenticate(header, '127.0.0.1'))).toBe('UNAUTHENTICATED');
    }
  });

  it('requires the scope: PERMISSION_DENIED without it', async () => {
    const gamma = await authenticator.authenticate('Bearer third-client-key-0000003', '127.0.0.1');
    expect(() => {
      requireScope(gamma, SCOPES.camara);
    }).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }) as Error);
  });
});
