import { BlockList, isIP } from 'node:net';

/**
 * Where an IP address points, for callbacks (docs/SECURITY.md): `public` is the only range a tenant's
 * endpoint may be reached at outside development. The others are this host, the cluster's networks,
 * the cloud's metadata service (169.254.169.254, link-local), or nowhere routable.
 */
export type AddressRange =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link_local'
  | 'unique_local'
  | 'multicast'
  | 'reserved';

type Subnet = readonly [network: string, prefix: number, range: Exclude<AddressRange, 'public'>];

/** The IANA special-purpose blocks that are not globally reachable (documentation blocks aside: unrouted). */
const IPV4_SUBNETS: readonly Subnet[] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link_local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_SUBNETS: readonly Subnet[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  // IPv4-compatible (deprecated): never a real endpoint.
  ['::', 96, 'reserved'],
  ['64:ff9b:1::', 48, 'reserved'],
  ['100::', 64, 'reserved'],
  // Teredo tunnels an IPv4 address of the relay's choosing.
  ['2001::', 32, 'reserved'],
  ['fc00::', 7, 'unique_local'],
  ['fe80::', 10, 'link_local'],
  // Site-local (deprecated), used as private space by some networks still.
  ['fec0::', 10, 'private'],
  ['ff00::', 8, 'multicast'],
];

function blockList(subnets: readonly Subnet[], family: 'ipv4' | 'ipv6'): Map<string, BlockList> {
  const lists = new Map<string, BlockList>();
  for (const [network, prefix, range] of subnets) {
    const list = lists.get(range) ?? new BlockList();
    list.addSubnet(network, prefix, family);
    lists.set(range, list);
  }
  return lists;
}

const IPV4 = blockList(IPV4_SUBNETS, 'ipv4');
const IPV6 = blockList(IPV6_SUBNETS, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad and a zone id allowed). */
function hextets(address: string): number[] {
  const [bare = ''] = address.split('%');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(bare);
  const text = quad
    ? bare.slice(0, quad.index) +
      [Number(quad[1]) * 256 + Number(quad[2]), Number(quad[3]) * 256 + Number(quad[4])]
        .map((group) => group.toString(16))
        .join(':')
    : bare;
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const dottedQuad = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/**
 * The IPv4 address an IPv6 address carries to the same host: IPv4-mapped (::ffff:a.b.c.d), the
 * well-known NAT64 prefix (64:ff9b::/96) and 6to4 (2002:aabb:ccdd::/48). Each is judged as that
 * IPv4 address, so ::ffff:127.0.0.1 is loopback however it is written.
 */
export function embeddedIpv4(address: string): string | undefined {
  const groups = hextets(address);
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return dottedQuad(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return dottedQuad(g6, g7);
  if (g0 === 0x2002) return dottedQuad(g1 ?? 0, g2 ?? 0);
  return undefined;
}

function rangeIn(lists: Map<string, BlockList>, address: string, family: 'ipv4' | 'ipv6'): AddressRange {
  for (const [range, list] of lists) if (list.check(address, family)) return range as AddressRange;
  return 'public';
}

/** The range of an IP address; anything that is not an IP address counts as `reserved` (refused). */
export function addressRange(address: string): AddressRange {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare.split('%')[0] ?? '');
  if (family === 4) return rangeIn(IPV4, bare, 'ipv4');
  if (family !== 6) return 'reserved';
  const embedded = embeddedIpv4(bare);
  if (embedded !== undefined) return rangeIn(IPV4, embedded, 'ipv4');
  return rangeIn(IPV6, bare.split('%')[0] ?? '', 'ipv6');
}
