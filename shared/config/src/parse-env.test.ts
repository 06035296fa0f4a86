import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envBool, envInt, envList } from './env-types.js';
import { ConfigError, parseEnv } from './parse-env.js';

const schema = z.object({
  PORT: envInt(8080, { min: 1, max: 65535 }),
  DEBUG: envBool(false),
  HOSTS: envList(z.string().min(2)),
  SECRET: z.string().min(8),
});

describe('parseEnv', () => {
  it('applies defaults and converts strings', () => {
    expect(parseEnv(schema, { SECRET: 'long-enough', DEBUG: 'true', HOSTS: 'aa, bb,,' })).toEqual({
      PORT: 8080,
      DEBUG: true,
      HOSTS: ['aa', 'bb'],
      SECRET: 'long-enough',
    });
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv(schema, { SECRET: 'long-enough', PORT: '' }).PORT).toBe(8080);
  });

  it('reports every bad variable at once', () => {
    const attempt = () => parseEnv(schema, { PORT: '70000', HOSTS: 'a' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const paths = (error as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(paths).toEqual(expect.arrayContaining(['PORT', 'HOSTS.0', 'SECRET']));
    }
  });
});
