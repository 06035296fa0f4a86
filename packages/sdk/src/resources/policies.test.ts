import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../client.js';
import { json, LocalServer } from '../testing/local-server.js';
import type { ClientPolicy, PolicyResponse } from './policies.js';

const POLICY: ClientPolicy = {
  code: { length: 6, alphabet: ['digits'] },
  codeLength: { min: 4, max: 32 },
  validitySeconds: { default: 300, min: 30, max: 3600 },
  maxAttempts: { default: 3, min: 1, max: 10 },
  sends: { max: 5, windowSeconds: 900 },
  resendIntervalSeconds: 30,
  channels: ['sms', 'voice'],
  countries: [],
  smsNumberTypes: ['MOBILE', 'FIXED_LINE_OR_MOBILE'],
  voiceNumberTypes: ['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE'],
  internationalNetworks: [],
  senderIds: [],
  defaultLocale: 'en',
};

describe('client.admin.policies', () => {
  let server: LocalServer;
  let client: Client;
  beforeAll(async () => {
    server = await LocalServer.start();
    client = new Client({ bearerToken: 'admin-key', baseURL: server.url });
  });
  afterAll(async () => {
    await server.close();
  });

  it('retrieves, updates and deletes a client policy', async () => {
    const stored = { maxAttempts: { default: 5, min: 1, max: 10 }, senderId: 'CoolApp' };
    const answer: PolicyResponse = { clientId: 'client-a', policy: { ...POLICY, ...stored }, stored };

    server.respond(json(200, { clientId: 'client-a', policy: POLICY, stored: {} }));
    await expect(client.admin.policies.retrieve('client-a')).resolves.toMatchObject({ stored: {} });
    expect(server.last).toMatchObject({ method: 'GET', url: '/v1/admin/policies/client-a' });

    server.respond(json(200, answer));
    await expect(client.admin.policies.update('client-a', stored)).resolves.toEqual(answer);
    expect(server.last).toMatchObject({ method: 'PUT', url: '/v1/admin/policies/client-a' });
    expect(JSON.parse(server.last.body)).toEqual(stored);

    server.respond(json(204));
    await expect(client.admin.policies.delete('client-a')).resolves.toBeUndefined();
    expect(server.last).toMatchObject({ method: 'DELETE', url: '/v1/admin/policies/client-a' });
  });
});

describe('client.policy', () => {
  let server: LocalServer;
  let client: Client;
  beforeAll(async () => {
    server = await LocalServer.start();
    client = new Client({ bearerToken: 'tenant-key', baseURL: server.url });
  });
  afterAll(async () => {
    await server.close();
  });

  it("retrieves the caller's own policy, naming no client", async () => {
    server.respond(json(200, { clientId: 'client-a', policy: POLICY, stored: {} }));
    await expect(client.policy.retrieve()).resolves.toMatchObject({ clientId: 'client-a', stored: {} });
    expect(server.last).toMatchObject({ method: 'GET', url: '/v1/policy' });
  });
});
