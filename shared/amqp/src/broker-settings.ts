/**
 * How a service reaches RabbitMQ: one or more node addresses (a cluster's nodes, or one load-balanced
 * address), TLS material, and how long one connection attempt may take. Parsed once from the
 * environment (amqp-env.ts) and handed to the connection; nothing here reads files or the environment.
 */
export interface BrokerTls {
  /** PEM CA bundle the broker's certificate must chain to (default: Node's bundled CAs). */
  ca?: Buffer;
  /** Client certificate and key, for brokers that require one (`fail_if_no_peer_cert`). */
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
  /** The name the broker's certificate must carry (and the SNI), when it is not the URL's host. */
  servername?: string;
}

export interface BrokerSettings {
  /** `amqp://` or `amqps://` URLs, tried in order on connect and on every reconnect. */
  urls: readonly string[];
  tls: BrokerTls;
  /** Bound on one connection attempt (TCP, TLS and the AMQP handshake), so a dead node is skipped fast. */
  connectTimeoutMs: number;
}

/** A node's address without credentials: what logs, metrics and errors may show. */
export function endpointLabel(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === 'amqps:' ? '5671' : '5672');
  return `${parsed.protocol}//${parsed.hostname}:${port}`;
}

/** The credentials a URL carries (RabbitMQ's `guest` when it carries none, as amqplib does). */
export function credentialsOf(url: string): { username: string; password: string } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { username: 'guest', password: 'guest' };
  return { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/** The virtual host a URL names (`/` when its path is empty). */
export function vhostOf(url: string): string {
  const path = new URL(url).pathname.slice(1);
  return path === '' ? '/' : decodeURIComponent(path);
}
