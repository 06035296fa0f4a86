import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../client.js';
import { OtpflowError } from '../errors.js';
import { json, LocalServer } from '../testing/local-server.js';
import type { Verification } from './verifications.js';

const ID = '2b8a6c1e-0000-4000-8000-000000000001';
const VERIFICATION: Verification = {
  id: ID,
  status: 'queued',
  channel: 'sms',
  to: '+346******78',
  createdAt: '2026-11-23T14:00:00.000Z',
  expiresAt: '2026-11-23T14:05:00.000Z',
  maxAttempts: 3,
  attemptsRemaining: 3,
  resendAllowedAt: '2026-11-23T14:00:30.000Z',
  chargeInfo: { encoding: 'GSM-7', parts: 1 },
  delivery: {
    status: 'queued',
    provider: null,
    attempts: 0,
    history: [],
    lastError: null,
    sentAt: null,
    deliveredAt: null,
    billedParts: null,
    price: null,
  },
  verifiedAt: null,
};

describe('client.verifications', () => {
  let server: LocalServer;
  let client: Client;
  beforeAll(async () => {
    server = await LocalServer.start();
    client = new Client({ bearerToken: 'key', baseURL: server.url });
  });
  afterAll(async () => {
    await server.close();
  });

  it('create POSTs the body to /v1/verifications and answers the verification', async () => {
    server.respond(json(201, VERIFICATION));
    const body = {
      to: '+34912345678',
      channel: 'voice',
      voice: { language: 'fr-FR', gender: 'male' },
      code: { length: 8, alphabet: ['digits', 'uppercase'] },
      template: { id: 'login', locale: 'es-ES', variables: { name: 'Ana' } },
    } as const;
    await expect(client.verifications.create(body)).resolves.toEqual(VERIFICATION);
    expect(server.last).toMatchObject({ method: 'POST', url: '/v1/verifications' });
    expect(JSON.parse(server.last.body)).toEqual(body);
  });

  it('create sends a channel workflow as given', async () => {
    server.respond(json(201, VERIFICATION));
    const body = {
      to: '+34912345678',
      workflow: [{ channel: 'sms', timeoutSeconds: 60 }, { channel: 'voice' }],
    } as const;
    await client.verifications.create(body);
    expect(JSON.parse(server.last.body)).toEqual(body);
  });

  it('check, retrieve, cancel and resend reach their paths', async () => {
    const checked = { id: ID, valid: true, status: 'verified', attemptsRemaining: 2 };
    server.respond(json(200, checked));
    await expect(client.verifications.check(ID, { code: '482913' })).resolves.toEqual(checked);
    expect(server.last).toMatchObject({
      method: 'POST',
      url: `/v1/verifications/${ID}/check`,
      body: '{"code":"482913"}',
    });

    server.respond(json(200, VERIFICATION));
    await client.verifications.retrieve(ID);
    expect(server.last).toMatchObject({ method: 'GET', url: `/v1/verifications/${ID}`, body: '' });

    await client.verifications.cancel(ID);
    expect(server.last).toMatchObject({ method: 'POST', url: `/v1/verifications/${ID}/cancel`, body: '' });

    await client.verifications.resend(ID, { channel: 'voice' });
    expect(server.last).toMatchObject({
      method: 'POST',
      url: `/v1/verifications/${ID}/resend`,
      body: '{"channel":"voice"}',
    });
    await client.verifications.resend(ID);
    expect(server.last.body).toBe('{}');
  });

  it('encodes ids into the path, and refuses an empty one', async () => {
    server.respond(json(404, { status: 404, code: 'NOT_FOUND', message: 'There is no such verification.' }));
    await expect(client.verifications.retrieve('a/b?c')).rejects.toThrow('There is no such verification.');
    expect(server.last.url).toBe('/v1/verifications/a%2Fb%3Fc');
    expect(() => client.verifications.cancel('')).toThrow(OtpflowError);
  });

  it('types a create as message or template, not both', () => {
    // @ts-expect-error -- the gateway refuses a body with both.
    const both: Parameters<Client['verifications']['create']>[0] = {
      to: '+34612345678',
      message: '{{code}}',
      template: { id: 'login' },
    };
    expect(both).toBeDefined();
  });
});

describe('client.verifications.list and client.analytics.conversion', () => {
  let server: LocalServer;
  let client: Client;
  beforeAll(async () => {
    server = await LocalServer.start();
    client = new Client({ bearerToken: 'key', baseURL: server.url });
  });
  afterAll(async () => {
    await server.close();
  });

  it('list GETs /v1/verifications with the filters that are set', async () => {
    const page = { verifications: [], nextCursor: null };
    server.respond(json(200, page));
    await expect(
      client.verifications.list({ status: 'verified', country: '+33', pageSize: 10 }),
    ).resolves.toEqual(page);
    expect(server.last).toMatchObject({
      method: 'GET',
      url: '/v1/verifications?status=verified&country=%2B33&pageSize=10',
    });
    server.respond(json(200, page));
    await client.verifications.list();
    expect(server.last.url).toBe('/v1/verifications');
  });

  it('conversion GETs /v1/analytics/conversion with the range and grouping', async () => {
    const total = {
      requested: 0,
      sent: 0,
      verified: 0,
      conversion: null,
      cost: { smsParts: 0, billedParts: 0, price: [] },
    };
    const report = { from: 'a', to: 'b', groupBy: 'provider', groups: [], total };
    server.respond(json(200, report));
    await expect(
      client.analytics.conversion({
        from: '2026-03-01T00:00:00Z',
        to: '2026-03-02T00:00:00Z',
        groupBy: 'provider',
      }),
    ).resolves.toEqual(report);
    expect(server.last.url).toBe(
      '/v1/analytics/conversion?from=2026-03-01T00%3A00%3A00Z&to=2026-03-02T00%3A00%3A00Z&groupBy=provider',
    );
  });
});
