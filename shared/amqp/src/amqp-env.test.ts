import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseEnv } from '@otpflow/config';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { amqpEnvShape, brokerSettingsFromEnv, withAmqpChecks } from './amqp-env.js';

const schema = withAmqpChecks(z.object(amqpEnvShape));
const dir = mkdtempSync(join(tmpdir(), 'otpflow-amqp-env-'));
const pem = join(dir, 'ca.pem');
writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const notPem = join(dir, 'plain.txt');
writeFileSync(notPem, 'hello');

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(schema, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

describe('RabbitMQ settings', () => {
  it('defaults to the local broker, policies verified when a management API is named', () => {
    const env = parseEnv(schema, {});
    expect(env.RABBITMQ_URL).toEqual(['amqp://guest:guest@127.0.0.1:5672']);
    expect(env.RABBITMQ_POLICIES).toBe('warn');
    expect(env.DEAD_LETTER_TTL_MS).toBe(7 * 24 * 3600 * 1000);
  });

  it('takes a list of nodes and the TLS files', () => {
    const env = parseEnv(schema, {
      RABBITMQ_URL: 'amqps://u:p@a:5671/prod, amqps://u:p@b:5671/prod',
      RABBITMQ_TLS_CA_FILE: pem,
      RABBITMQ_TLS_SERVERNAME: 'rabbitmq.internal',
    });
    const settings = brokerSettingsFromEnv(env);
    expect(settings.urls).toEqual(['amqps://u:p@a:5671/prod', 'amqps://u:p@b:5671/prod']);
    expect(settings.tls.ca?.toString()).toContain('BEGIN CERTIFICATE');
    expect(settings.tls.servername).toBe('rabbitmq.internal');
    expect(settings.connectTimeoutMs).toBe(5000);
  });

  it('reports every bad variable', () => {
    expect(
      problems({ RABBITMQ_URL: 'http://a,amqp://', RABBITMQ_TLS_CA_FILE: join(dir, 'missing.pem') }),
    ).toEqual([
      'RABBITMQ_URL.0: must be an amqp:// or amqps:// URL with a host',
      'RABBITMQ_URL.1: must be an amqp:// or amqps:// URL with a host',
      `RABBITMQ_TLS_CA_FILE: cannot read ${join(dir, 'missing.pem')} (ENOENT)`,
    ]);
    expect(problems({ RABBITMQ_URL: 'amqps://a', RABBITMQ_TLS_CA_FILE: notPem })).toEqual([
      `RABBITMQ_TLS_CA_FILE: ${notPem} is not a PEM file`,
    ]);
  });

  it('refuses settings that contradict each other', () => {
    expect(
      problems({
        RABBITMQ_URL: 'amqp://a/one,amqps://b/two',
        RABBITMQ_TLS_CERT_FILE: pem,
        RABBITMQ_POLICIES: 'require',
      }),
    ).toEqual([
      'RABBITMQ_URL: mixes amqp:// and amqps:// URLs',
      'RABBITMQ_URL: names more than one virtual host',
      'RABBITMQ_TLS_KEY_FILE: a client certificate needs both RABBITMQ_TLS_CERT_FILE and RABBITMQ_TLS_KEY_FILE',
      'RABBITMQ_MANAGEMENT_URL: is required with RABBITMQ_POLICIES=require',
    ]);
    expect(problems({ RABBITMQ_URL: 'amqp://a', RABBITMQ_TLS_CA_FILE: pem })).toEqual([
      'RABBITMQ_TLS_CA_FILE: is set but RABBITMQ_URL is not amqps://',
    ]);
  });
});
