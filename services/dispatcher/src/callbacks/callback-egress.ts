import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { addressRange, type AddressRange } from '@otpflow/contracts';
import { AppError } from '@otpflow/errors';
import { Agent } from 'undici';

/** A name's addresses, as the system resolver answers (the default), or a test's table. */
export type ResolveHost = (hostname: string, family: number | undefined) => Promise<LookupAddress[]>;

export const systemResolver: ResolveHost = (hostname, family) =>
  dns.lookup(hostname, { all: true, order: 'verbatim', ...(family ? { family } : {}) });

/** A callback host that answered with an address no callback may reach. */
export interface AddressRefusal {
  host: string;
  address: string;
  range: Exclude<AddressRange, 'public'>;
}

/**
 * Raised from the connection's lookup, so the socket is never opened; not retryable: the endpoint's
 * name points into the cluster (or at the cloud's metadata service), not at a busy tenant.
 */
export class CallbackAddressRefusedError extends AppError {
  override readonly name = 'CallbackAddressRefusedError';

  constructor(readonly refusal: AddressRefusal) {
    super('CALLBACK_ADDRESS_REFUSED', `callback host resolves to a ${refusal.range} address`, {
      retryable: false,
      context: { ...refusal },
    });
  }
}

/** The first of `addresses` that is not public: one is enough, since a connection may try any. */
export function refusalOf(host: string, addresses: readonly string[]): AddressRefusal | undefined {
  for (const address of addresses) {
    const range = addressRange(address);
    if (range !== 'public') return { host, address, range };
  }
  return undefined;
}

/** An IP-literal URL's refusal: no lookup happens for a literal, so it is judged before connecting. */
export function literalRefusal(url: string): AddressRefusal | undefined {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return isIP(host) === 0 ? undefined : refusalOf(host, [host]);
}

/** The family a connection asks for (4 or 6), or undefined for either. */
function familyOf(family: LookupOptions['family']): number | undefined {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return undefined;
}

const notFound = (hostname: string) =>
  Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND', hostname });

/**
 * A socket lookup that resolves once, refuses the whole answer when any address in it is not
 * public (unless `allowPrivateAddresses`), and hands the checked addresses to the connection: the
 * socket connects to what was checked, so no second answer (DNS rebinding) can slip an internal
 * address in between.
 */
export function checkedLookup(resolve: ResolveHost, allowPrivateAddresses: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, familyOf(options.family)).then(
      (addresses) => {
        const refusal = allowPrivateAddresses
          ? undefined
          : refusalOf(
              hostname,
              addresses.map((entry) => entry.address),
            );
        const [first] = addresses;
        if (refusal) callback(new CallbackAddressRefusedError(refusal), '');
        else if (!first) callback(notFound(hostname), '');
        else if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, ''),
    );
  };
}

export interface CallbackAgentOptions {
  /** Development and tests only (CALLBACK_ALLOW_PRIVATE_ADDRESSES): any address is reached. */
  allowPrivateAddresses: boolean;
  resolve?: ResolveHost;
  /** TLS settings beyond the defaults (a test's CA); the certificate is checked against the URL's host. */
  tls?: Pick<ConnectionOptions, 'ca'>;
}

/**
 * The connection pool callbacks go out on. TLS keeps its server name from the URL (SNI and the
 * certificate check are against the host the tenant registered), whatever address it connects to.
 */
export function callbackAgent(options: CallbackAgentOptions): Agent {
  return new Agent({
    // HTTP/1.1, as callbacks went out before this pool and as the endpoints' docs assume.
    allowH2: false,
    connect: {
      ...options.tls,
      lookup: checkedLookup(options.resolve ?? systemResolver, options.allowPrivateAddresses),
    },
  });
}
