import { BlockList, isIP } from 'node:net';

/**
 * Addresses a callback must never be aimed at outside development: loopback, private, link-local
 * (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, and their IPv6 forms. Only IP
 * literals and `localhost` are recognised here; a public name that resolves to one of them is not
 * (docs/native-api.md says so).
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

/** Why a tenant may not register this URL, or undefined when it may. */
export function webhookUrlProblem(url: string, options: { allowHttp: boolean }): string | undefined {
  // Development and tests point callbacks at local servers over http; production allows neither.
  if (options.allowHttp) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') return 'must be an https:// URL';
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at this host';
  const family = isIP(host);
  if (family === 4 && INTERNAL.check(host, 'ipv4')) return 'must not point at an internal address';
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
    if (mapped ? INTERNAL.check(mapped, 'ipv4') : INTERNAL.check(host, 'ipv6'))
      return 'must not point at an internal address';
  }
  return undefined;
}
