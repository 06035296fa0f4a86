import type { Request } from 'express';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { clientAddress, forwardedFor } from './forwarded-for.js';

/** A request as express makes it for an app trusting `hops` proxies, from a socket at `address`. */
function requestTo(hops: number, address: string, headers: Record<string, string>): Request {
  const app = express();
  app.set('trust proxy', hops);
  return Object.assign(Object.create(app.request) as Request, {
    headers,
    socket: { remoteAddress: address },
  });
}

describe('the client address', () => {
  const cases: { hops: number; headers: Record<string, string> }[] = [
    { hops: 0, headers: {} },
    { hops: 1, headers: {} },
    { hops: 0, headers: { 'x-forwarded-for': '203.0.113.7' } },
    { hops: 1, headers: { 'x-forwarded-for': '203.0.113.7' } },
    { hops: 1, headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' } },
    { hops: 2, headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' } },
  ];

  it("is express's request.ip, with or without proxies", () => {
    for (const { hops, headers } of cases) {
      const request = requestTo(hops, '10.0.0.5', headers);
      expect(clientAddress(request), JSON.stringify({ hops, headers })).toBe(request.ip);
    }
  });

  it('is forwarded for only through trusted proxies', () => {
    const forwarded = cases.map(({ hops, headers }) => forwardedFor(requestTo(hops, '10.0.0.5', headers)));
    expect(forwarded).toEqual([
      {},
      {},
      {},
      { forwardedFor: '203.0.113.7' },
      { forwardedFor: '203.0.113.7' },
      { forwardedFor: '198.51.100.1' },
    ]);
  });
});
