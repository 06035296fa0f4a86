import { isIPv4, isIPv6 } from 'node:net';

/**
 * The source a request is counted against, from its address (`request.ip`, which honours
 * TRUST_PROXY_HOPS): an IPv4 address as it is, an IPv6 address by its /64 (one subscriber's network:
 * an attacker holding one has 2^64 addresses to rotate through), an IPv4-mapped IPv6 address as the
 * IPv4 address it maps.
 */
export function sourceOf(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return 'unknown';
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, `::` filled in and a trailing dotted quad converted. */
function expandIPv6(address: string): string[] {
  let text = address.split('%')[0] ?? address;
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail ?? '').length;
  const all =
    tail === undefined
      ? groups(head)
      : [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)];
  return all.map((group) => Number.parseInt(group, 16).toString(16));
}
