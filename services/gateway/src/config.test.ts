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
    expect(problemsOf({ NODE_ENV: 'production', API_KEYS: `${DEV_API_KEY}:dev` }).join('\n')).toMatch(
      /development key/,
    );
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
