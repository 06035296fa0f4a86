import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../client.js';
import { NotFoundError } from '../errors.js';
import { json, LocalServer } from '../testing/local-server.js';
import type { Template } from './templates.js';

const TEMPLATE: Template = {
  id: 'login',
  locale: 'es-ES',
  text: 'Hola {{name}}, tu código es {{code}}',
  variables: ['name'],
  chargeInfo: { encoding: 'UCS-2', parts: 1 },
  createdAt: '2026-11-23T14:00:00.000Z',
  updatedAt: '2026-11-23T14:00:00.000Z',
};

describe('client.templates', () => {
  let server: LocalServer;
  let client: Client;
  beforeAll(async () => {
    server = await LocalServer.start();
    client = new Client({ bearerToken: 'admin-key', baseURL: server.url });
  });
  afterAll(async () => {
    await server.close();
  });

  it('upserts, lists, retrieves and deletes', async () => {
    server.respond(json(201, TEMPLATE));
    await expect(client.templates.upsert('login', 'es-ES', { text: TEMPLATE.text })).resolves.toEqual(
      TEMPLATE,
    );
    expect(server.last).toMatchObject({ method: 'PUT', url: '/v1/templates/login/es-ES' });
    expect(JSON.parse(server.last.body)).toEqual({ text: TEMPLATE.text });

    server.respond(json(200, { templates: [TEMPLATE] }));
    await expect(client.templates.list()).resolves.toEqual({ templates: [TEMPLATE] });
    expect(server.last).toMatchObject({ method: 'GET', url: '/v1/templates' });

    server.respond(json(200, TEMPLATE));
    await expect(client.templates.retrieve('login', 'es-ES')).resolves.toEqual(TEMPLATE);
    expect(server.last).toMatchObject({ method: 'GET', url: '/v1/templates/login/es-ES' });

    server.respond(json(204));
    await expect(client.templates.delete('login', 'es-ES')).resolves.toBeUndefined();
    expect(server.last).toMatchObject({ method: 'DELETE', url: '/v1/templates/login/es-ES' });
  });

  it('answers NotFoundError for a template that does not exist', async () => {
    server.respond(json(404, { status: 404, code: 'NOT_FOUND', message: 'There is no such template.' }));
    await expect(client.templates.retrieve('nope', 'en')).rejects.toBeInstanceOf(NotFoundError);
  });
});
