import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createExpressServer } from './express-server.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function serve(app: express.Express): Promise<string> {
  const server = createExpressServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the express server', () => {
  it("makes requests and responses with the app's own prototypes, express's helpers and all", async () => {
    const app = express();
    app.set('trust proxy', 1);
    app.get('/who', (request, response) => {
      response.json({
        sameRequestPrototype: Object.getPrototypeOf(request) === app.request,
        sameResponsePrototype: Object.getPrototypeOf(response) === app.response,
        app: request.app === app,
        ip: request.ip,
        header: request.get('x-test'),
        query: request.query,
      });
    });
    const base = await serve(app);
    const answer = await fetch(`${base}/who?a=1`, {
      headers: { 'x-test': 'yes', 'x-forwarded-for': '198.51.100.7' },
    });
    expect(await answer.json()).toEqual({
      sameRequestPrototype: true,
      sameResponsePrototype: true,
      app: true,
      ip: '198.51.100.7',
      header: 'yes',
      query: { a: '1' },
    });
    const head = await fetch(`${base}/who`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/application\/json/);
    expect(await head.text()).toBe('');
  });
});
