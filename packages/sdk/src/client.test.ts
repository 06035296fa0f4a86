import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client, DEFAULT_BASE_URL } from './client.js';
import { OtpflowError } from './errors.js';
import Default, { Client as NamedClient } from './index.js';
import { json, LocalServer } from './testing/local-server.js';

describe('Client', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await LocalServer.start();
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is the default export too, as the seed SDK is used (`import Camara from …; new Camara()`)', () => {
    expect(Default).toBe(Client);
    expect(NamedClient).toBe(Client);
  });

  it('takes its bearer token and base URL from the environment when not given', async () => {
    vi.stubEnv('CAMARA_BEARER_TOKEN', 'key-from-env');
    vi.stubEnv('OTPFLOW_BASE_URL', `${server.url}/`);
    const client = new Client();
    expect(client.baseURL).toBe(server.url);
    server.respond(json(200, { templates: [] }));
    await client.templates.list();
    expect(server.last).toMatchObject({
      method: 'GET',
      url: '/v1/templates',
      headers: { authorization: 'Bearer key-from-env' },
    });
  });

  it('prefers its options to the environment', async () => {
    vi.stubEnv('CAMARA_BEARER_TOKEN', 'key-from-env');
    vi.stubEnv('OTPFLOW_BASE_URL', 'http://unused.invalid');
    const client = new Client({ bearerToken: 'key-from-options', baseURL: server.url });
    server.respond(json(200, { templates: [] }));
    await client.templates.list();
    expect(server.last.headers.authorization).toBe('Bearer key-from-options');
  });

  it('defaults to localhost:8080, a 10 s timeout and 2 retries', () => {
    vi.stubEnv('OTPFLOW_BASE_URL', '');
    const client = new Client({ bearerToken: 'key' });
    expect(client).toMatchObject({ baseURL: DEFAULT_BASE_URL, timeout: 10_000, maxRetries: 2 });
    expect(DEFAULT_BASE_URL).toBe('http://localhost:8080');
  });

  it('refuses to start without a bearer token, or with bad options', () => {
    vi.stubEnv('CAMARA_BEARER_TOKEN', '');
    expect(() => new Client()).toThrow(OtpflowError);
    expect(() => new Client()).toThrow(/CAMARA_BEARER_TOKEN/);
    expect(() => new Client({ bearerToken: 'key', baseURL: 'not a url' })).toThrow(OtpflowError);
    expect(() => new Client({ bearerToken: 'key', timeout: 0 })).toThrow(/timeout/);
    expect(() => new Client({ bearerToken: 'key', maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => new Client({ bearerToken: 'key', maxRetries: 1.5 })).toThrow(/maxRetries/);
  });

  it('keeps the bearer token out of what it shows of itself', async () => {
    const { inspect } = await import('node:util');
    const client = new Client({ bearerToken: 'secret-token-value', baseURL: server.url });
    expect(inspect(client, { depth: 10 })).not.toContain('secret-token-value');
    expect(JSON.stringify(client)).not.toContain('secret-token-value');
  });
});
