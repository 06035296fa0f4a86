import { ConfigError } from '@otpflow/config';
import { DEV_JOB_ENCRYPTION_KEYS } from '@otpflow/contracts';
import { describe, expect, it } from 'vitest';
import { SCOPES } from './auth/scopes.js';
import { DEV_API_KEY, loadConfig } from './config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('gateway config', () => {
  it('works out of the box in development, with the documented defaults and dev key', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      CODE_LENGTH: 6,
      CODE_TTL_SECONDS: 300,
      MAX_ATTEMPTS: 3,
      MAX_SENDS: 5,
      SEND_WINDOW_SECONDS: 900,
    });
    expect(config.API_KEYS).toEqual([`${DEV_API_KEY}:dev:${Object.values(SCOPES).join('+')}`]);
  });

  it('refuses development secrets, test numbers and missing auth in production, listing each', () => {
    const problems = problemsOf({ NODE_ENV: 'production', TEST_NUMBERS: '+34600000001:123456' });
    expect(problems.join('\n')).toMatch(/API_KEYS/);
    expect(problems.join('\n')).toMatch(/CODE_HASH_SECRET/);
    expect(problems.join('\n')).toMatch(/JOB_ENCRYPTION_KEYS/);
    expect(problems.join('\n')).toMatch(/TEST_NUMBERS/);
    const local = problemsOf({
      NODE_ENV: 'production',
      WEBHOOK_ALLOW_HTTP: 'true',
      CALLBACK_ALLOW_PRIVATE_ADDRESSES: 'true',
    });
    expect(local.join('\n')).toMatch(/WEBHOOK_ALLOW_HTTP/);
    expect(local.join('\n')).toMatch(/CALLBACK_ALLOW_PRIVATE_ADDRESSES/);
    expect(problemsOf({ NODE_ENV: 'production', API_KEYS: `${DEV_API_KEY}:dev` }).join('\n')).toMatch(
      /development key/,
    );
  });

  it('refuses an OIDC issuer that is not https, or a token audience left open, in production', () => {
    const production = {
      NODE_ENV: 'production',
      CODE_HASH_SECRET: 'a-production-code-hash-secret-0123456789',
      JOB_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    };
    const problems = problemsOf({
      ...production,
      OIDC_ISSUER: 'http://idp.example.test/realms/main',
      OIDC_JWKS_URL: 'http://idp.example.test/jwks',
    }).join('\n');
    expect(problems).toMatch(/OIDC_ISSUER: .*https/);
    expect(problems).toMatch(/OIDC_JWKS_URL: .*https/);
    expect(problems).toMatch(/OIDC_AUDIENCE: .*required/);
    expect(
      problemsOf({
        ...production,
        OIDC_ISSUER: 'https://idp.example.test/realms/main',
        OIDC_AUDIENCE: 'otpflow-api',
      }),
    ).toEqual([]);
    // Outside production a local identity provider on http is fine, and the audience optional.
    expect(problemsOf({ OIDC_ISSUER: 'http://127.0.0.1:8000/realms/main' })).toEqual([]);
  });

  it('checks the OIDC token type, tenant claim and failed-authentication limit', () => {
    const config = loadConfig({ OIDC_ISSUER: 'http://127.0.0.1:8000/realms/main' });
    expect(config).toMatchObject({
      OIDC_TENANT_CLAIM: 'client_id',
      AUTH_FAILURE_LIMIT: 20,
      AUTH_FAILURE_WINDOW_SECONDS: 60,
    });
    expect(config.OIDC_TOKEN_TYPE).toBeUndefined();
    const problems = problemsOf({ OIDC_TENANT_CLAIM: 'has space', AUTH_FAILURE_LIMIT: '0' });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(
      expect.arrayContaining(['OIDC_TENANT_CLAIM', 'AUTH_FAILURE_LIMIT']),
    );
  });

  it('serves no high-risk line type deployment-wide: only a client policy may allow one', () => {
    const config = loadConfig({});
    expect(config.SMS_NUMBER_TYPES).toEqual(['MOBILE', 'FIXED_LINE_OR_MOBILE']);
    expect(config.VOICE_NUMBER_TYPES).toEqual(['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE']);
    const problems = problemsOf({
      SMS_NUMBER_TYPES: 'MOBILE,PREMIUM_RATE',
      VOICE_NUMBER_TYPES: 'MOBILE,VOIP,PERSONAL_NUMBER',
    });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'SMS_NUMBER_TYPES.1',
      'VOICE_NUMBER_TYPES.1',
      'VOICE_NUMBER_TYPES.2',
    ]);
    expect(problems[0]).toMatch(/allow them per client in its policy/);
    // VoIP stays an ordinary choice for SMS.
    expect(loadConfig({ SMS_NUMBER_TYPES: 'MOBILE,VOIP' }).SMS_NUMBER_TYPES).toEqual(['MOBILE', 'VOIP']);
  });

  it('refuses the development job key in production under any key id', () => {
    const renamed = DEV_JOB_ENCRYPTION_KEYS.replace(/^dev:/, 'prod2026:');
    const problems = problemsOf({ NODE_ENV: 'production', JOB_ENCRYPTION_KEYS: renamed });
    expect(problems.join('\n')).toMatch(/JOB_ENCRYPTION_KEYS: .*development key/);
  });

  it('validates every setting', () => {
    const problems = problemsOf({
      CODE_LENGTH: '3',
      PORT: 'x',
      TEST_NUMBERS: '+34600:12',
      SERVED_PREFIXES: '34',
    });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(
      expect.arrayContaining(['CODE_LENGTH', 'PORT', 'TEST_NUMBERS.0', 'SERVED_PREFIXES.0']),
    );
  });
});
