import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../client.js';
import { json, LocalServer } from '../testing/local-server.js';
import { runWebhooksCli, WEBHOOKS_USAGE } from './webhooks-cli.js';

const WEBHOOK = {
  id: 'ep_AAAAAAAAAAAAAAAA',
  url: 'https://acme.example/hooks',
  events: ['verification.sent', 'verification.approved'],
  enabled: true,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

describe('npm run webhooks', () => {
  let server: LocalServer;
  let client: Client;
  const printed: string[] = [];
  const run = (...argv: string[]) => runWebhooksCli(argv, client, (text) => printed.push(text));
  beforeAll(async () => {
    server = await LocalServer.start();
    client = new Client({ bearerToken: 'tenant-admin-key', baseURL: server.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates an endpoint for the events given, and prints its secret', async () => {
    server.respond(json(201, { ...WEBHOOK, secret: 'whsec_x' }));
    expect(await run('create', WEBHOOK.url, 'verification.sent,verification.approved', 'login')).toBe(0);
    expect(server.last).toMatchObject({ method: 'POST', url: '/v1/webhooks' });
    expect(JSON.parse(server.last.body)).toEqual({
      url: WEBHOOK.url,
      events: ['verification.sent', 'verification.approved'],
      description: 'login',
    });
    expect(printed.at(-1)).toContain('whsec_x');
  });

  it('lists, disables, changes events, rotates and deletes', async () => {
    server.respond(json(200, { webhooks: [WEBHOOK] }));
    expect(await run('list')).toBe(0);
    expect(server.last).toMatchObject({ method: 'GET', url: '/v1/webhooks' });
    server.respond(json(200, { ...WEBHOOK, enabled: false }));
    expect(await run('disable', WEBHOOK.id)).toBe(0);
    expect(server.last).toMatchObject({ method: 'PATCH', url: `/v1/webhooks/${WEBHOOK.id}` });
    expect(JSON.parse(server.last.body)).toEqual({ enabled: false });
    expect(await run('events', WEBHOOK.id, 'verification.failed')).toBe(0);
    expect(JSON.parse(server.last.body)).toEqual({ events: ['verification.failed'] });
    server.respond(json(200, { ...WEBHOOK, secret: 'whsec_new' }));
    expect(await run('rotate', WEBHOOK.id)).toBe(0);
    expect(server.last).toMatchObject({ method: 'POST', url: `/v1/webhooks/${WEBHOOK.id}/secret` });
    server.respond(json(204));
    expect(await run('delete', WEBHOOK.id)).toBe(0);
    expect(server.last).toMatchObject({ method: 'DELETE', url: `/v1/webhooks/${WEBHOOK.id}` });
  });

  it('prints its usage for a bad command line', async () => {
    expect(await run('create', WEBHOOK.url)).toBe(2);
    expect(await run('frobnicate')).toBe(2);
    expect(printed.at(-1)).toBe(WEBHOOKS_USAGE);
  });
});
