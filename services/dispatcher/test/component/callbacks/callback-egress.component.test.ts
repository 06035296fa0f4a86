import type { LookupAddress } from 'node:dns';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallbackJob } from '@otpflow/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResolveHost } from '../../../src/callbacks/callback-egress.js';
import { makeTestPki } from '../../../../../test/faults/support/test-certificates.js';
import { FakeHttpServer } from '../../fakes/fake-http-server.js';
import {
  closeAll,
  endpointAt,
  endpointServer,
  event,
  metricValue,
  wire,
  type WireSettings,
} from './callback-harness.js';

afterEach(closeAll);

/** A DNS of the test's own: each name answers what the table says, and every question is kept. */
function resolverOf(table: Record<string, readonly string[]>) {
  const asked: string[] = [];
  const resolve: ResolveHost = (hostname) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses)
      return Promise.reject(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(
      addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return { resolve, asked };
}

/** The local endpoint's URL, under a host name of the test's DNS instead of 127.0.0.1. */
const underName = (url: string, host: string) => url.replace('127.0.0.1', host);

async function runOne(url: string, settings: WireSettings) {
  const endpoint = endpointAt(url, ['verification.sent']);
  const wired = wire([endpoint], settings);
  await wired.fanout.handle(event('code.sent'));
  const history = await wired.deliver(wired.queued[0] as CallbackJob);
  return { ...wired, endpoint, history };
}

describe('callbacks to internal addresses', () => {
  it('refuses a host name that resolves to 127.0.0.1: dead-lettered with its own reason, never sent', async () => {
    const server = await endpointServer(() => ({ status: 204 }));
    const dns = resolverOf({ 'hooks.tenant.test': ['127.0.0.1'] });
    const { history, registry, endpoint } = await runOne(underName(server.url, 'hooks.tenant.test'), {
      allowPrivateAddresses: false,
      resolve: dns.resolve,
    });

    expect(history.map((h) => h.moved)).toEqual([{ to: 'dead', reason: 'address_refused' }]);
    expect(history[0]?.lastError).toBe('address_refused: hooks.tenant.test is 127.0.0.1 (loopback)');
    expect(server.requests).toHaveLength(0);
    const labels = { client: 'tenant-a', endpoint_id: endpoint.endpointId };
    expect(
      await metricValue(registry, 'otpflow_callback_attempts_total', { ...labels, outcome: 'refused' }),
    ).toBe(1);
    expect(
      await metricValue(registry, 'otpflow_callback_dead_lettered_total', {
        ...labels,
        reason: 'address_refused',
      }),
    ).toBe(1);
  });

  it('delivers to the same name with CALLBACK_ALLOW_PRIVATE_ADDRESSES, connecting to the answer it got', async () => {
    const server = await endpointServer(() => ({ status: 204 }));
    const dns = resolverOf({ 'hooks.tenant.test': ['127.0.0.1'] });
    const { history } = await runOne(underName(server.url, 'hooks.tenant.test'), {
      allowPrivateAddresses: true,
      resolve: dns.resolve,
    });

    expect(history.map((h) => h.settled)).toEqual(['ack']);
    expect(server.requests).toHaveLength(1);
    // The system's resolver does not know the name: the socket went where this one answer said.
    expect(dns.asked).toEqual(['hooks.tenant.test']);
  });

  it('refuses an answer in which any address is internal, public ones beside it or not', async () => {
    const server = await endpointServer(() => ({ status: 204 }));
    const dns = resolverOf({ 'mixed.tenant.test': ['203.0.113.10', '::ffff:169.254.169.254'] });
    const { history } = await runOne(underName(server.url, 'mixed.tenant.test'), {
      allowPrivateAddresses: false,
      resolve: dns.resolve,
    });

    expect(history.map((h) => h.moved)).toEqual([{ to: 'dead', reason: 'address_refused' }]);
    expect(history[0]?.lastError).toMatch(/::ffff:169\.254\.169\.254 \(link_local\)$/);
  });

  it('refuses an internal IP literal without asking any resolver', async () => {
    const server = await endpointServer(() => ({ status: 204 }));
    const dns = resolverOf({});
    const { history } = await runOne(server.url, { allowPrivateAddresses: false, resolve: dns.resolve });

    expect(history.map((h) => h.moved)).toEqual([{ to: 'dead', reason: 'address_refused' }]);
    expect(history[0]?.lastError).toBe('address_refused: 127.0.0.1 is 127.0.0.1 (loopback)');
    expect(dns.asked).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('retries a name that does not resolve, as any network error: the tenant may fix its DNS', async () => {
    const dns = resolverOf({});
    const { history } = await runOne('http://gone.tenant.test:9/hook', {
      allowPrivateAddresses: false,
      resolve: dns.resolve,
    });

    expect(history.map((h) => h.moved?.to)).toEqual(['retry', 'retry', 'dead']);
    expect(history.at(-1)?.moved).toEqual({ to: 'dead', reason: 'attempts_exhausted' });
    expect(history.at(-1)?.lastError).toBe('network_error');
  });

  it('checks TLS against the registered host name while it connects to the checked address', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'otpflow-callback-tls-'));
    try {
      const pki = await makeTestPki(dir);
      const read = (file: string) => readFile(file, 'utf8');
      const [cert, key, ca] = [
        await read(pki.server.certFile),
        await read(pki.server.keyFile),
        await read(pki.caFile),
      ];
      const server = await new FakeHttpServer(() => ({ status: 204 })).start({ tls: { cert, key } });
      const port = new URL(server.url).port;
      const dns = resolverOf({ [pki.serverName]: ['127.0.0.1'], 'other.otpflow.test': ['127.0.0.1'] });
      const settings = { allowPrivateAddresses: true, resolve: dns.resolve, ca, timeoutMs: 2_000 };

      const named = await runOne(`https://${pki.serverName}:${port}/hook`, settings);
      expect(named.history.map((h) => h.settled)).toEqual(['ack']);
      // Another name for the same address: the certificate does not cover it, so nothing is sent.
      const other = await runOne(`https://other.otpflow.test:${port}/hook`, settings);
      expect(other.history.at(-1)?.lastError).toBe('network_error');
      expect(server.requests).toHaveLength(1);
      await server.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
