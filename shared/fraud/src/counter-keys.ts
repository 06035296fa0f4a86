import { subnetOf, type NumberRanges } from './ranges.js';

/**
 * The counters a send is judged on and counted in: per tenant its country, cc+3 and cc+5 (sends and
 * verified codes) and its block of a hundred (distinct numbers); per end-user address and network,
 * for every tenant.
 */
export function counterKeysOf(send: { clientId: string; address: string | undefined }, ranges: NumberRanges) {
  const ofTenant = (depth: string, prefix: string) => `${depth}:${send.clientId}:${prefix}`;
  return {
    country: ofTenant('p', ranges.country),
    cc3: ofTenant('p', ranges.cc3),
    cc5: ofTenant('p', ranges.cc5),
    dense: ofTenant('d', ranges.block),
    ...(send.address ? { ip: `i:${send.address}`, subnet: networkKeyOf(subnetOf(send.address)) } : {}),
  };
}

/** The counter of an address network (a /24 or /48), for every tenant: its sends and verified codes. */
export const networkKeyOf = (subnet: string) => `s:${subnet}`;
