import { createRequire } from 'node:module';
import type { Document, MongoClient } from 'mongodb';
import { Counter, type Registry } from 'prom-client';

/**
 * Commands counted since the counter last read them, by command name, then collection. A command costs
 * two map lookups and an addition; the counter's own `inc` (which builds and checks a label key on every
 * call) runs once per series per scrape instead of once per command.
 */
class PendingCounts {
  private readonly counts = new Map<string, Map<string, number>>();

  add(command: string, collection: string): void {
    let byCollection = this.counts.get(command);
    if (!byCollection) {
      byCollection = new Map();
      this.counts.set(command, byCollection);
    }
    byCollection.set(collection, (byCollection.get(collection) ?? 0) + 1);
  }

  /** Hands every pending count to `take`, and starts again from zero. */
  drain(take: (command: string, collection: string, count: number) => void): void {
    for (const [command, byCollection] of this.counts) {
      for (const [collection, count] of byCollection) if (count > 0) take(command, collection, count);
      byCollection.clear();
    }
  }
}

/**
 * A command's name and collection, as the driver's command monitoring names them: the name is the
 * command document's first field; the collection that field's value for the CRUD and index commands
 * (`{ insert: 'sessions', ... }`), `collection` for getMore, none for database and server commands
 * (`ping`, `endSessions`). Collection names are fixed by the code, so the label stays bounded.
 */
function countCommand(pending: PendingCounts, command: Document): void {
  for (const name in command) {
    const target: unknown = command[name];
    const collection: unknown = typeof target === 'string' ? target : command.collection;
    pending.add(name, typeof collection === 'string' ? collection : '');
    return;
  }
}

/**
 * The two places of the driver (mongodb 7.8, lib/cmap) the counting hooks into. Neither is public API:
 * the driver's public hook is command monitoring, which for every command builds a started and a
 * succeeded event, relays each through four emitters, and decodes the reply a second time (4–5% of a
 * validate-code's instructions, bench/instructions.mjs). These two cost a map lookup per command.
 * store-command-metrics.int.test.ts checks the counts against command monitoring's, so a driver
 * upgrade that moves either fails there.
 */
interface DriverConnection {
  command: (
    this: DriverConnection,
    ns: unknown,
    command: Document,
    options: unknown,
    responseType: unknown,
  ) => Promise<unknown>;
}
interface DriverPool {
  readonly server: { readonly topology: { readonly client: MongoClient } };
  createConnection: (
    this: DriverPool,
    callback: (error?: unknown, connection?: DriverConnection) => void,
  ) => void;
}

/** The counts of each client being counted. */
const countedClients = new WeakMap<MongoClient, PendingCounts>();
let hooked = false;

/**
 * Counts every command a pool connection sends once it is established, which is what command
 * monitoring reports: operations and their retries, getMores, reauthentication; not the handshake
 * (sent inside the connect, before the pool hands the connection out) nor server monitors' heartbeats
 * (their connections are not the pool's). Installed once per process. It must be in place before a
 * counted client's pool opens its connections (one opened before is never counted): connectMongo
 * installs it before it connects, and a bare client is counted only if countStoreCommands runs
 * before it connects.
 */
export function hookDriver(): void {
  if (hooked) return;
  const require = createRequire(import.meta.url);
  const { Connection } = require('mongodb/lib/cmap/connection.js') as {
    Connection?: { prototype: DriverConnection };
  };
  const { ConnectionPool } = require('mongodb/lib/cmap/connection_pool.js') as {
    ConnectionPool?: { prototype: DriverPool };
  };
  const send = Connection?.prototype.command;
  const create = ConnectionPool?.prototype.createConnection;
  if (!Connection || !ConnectionPool || typeof send !== 'function' || typeof create !== 'function')
    throw new Error('otpflow_store_commands_total: this mongodb driver has no Connection.command to count');
  hooked = true;
  ConnectionPool.prototype.createConnection = function (callback) {
    const { client } = this.server.topology;
    create.call(this, (error, connection) => {
      if (connection) countOn(connection, client, send);
      callback(error, connection);
    });
  };
}

/**
 * A pool connection's own `command`, counting for its client while that client is counted. Set on
 * the connection rather than on the driver's prototype: the Connection class stays as the driver
 * made it, monitors' connections run the driver's own method, and clients never counted pay one
 * lookup per command.
 */
function countOn(connection: DriverConnection, client: MongoClient, send: DriverConnection['command']): void {
  connection.command = function (ns, command, options, responseType) {
    const pending = countedClients.get(client);
    if (pending) countCommand(pending, command);
    return send.call(this, ns, command, options, responseType);
  };
}

/**
 * `otpflow_store_commands_total{command,collection}`: every command the service sends to the
 * database through `client`, retries included. Commands per API request is the store's share of the
 * work: `rate(otpflow_store_commands_total[5m])` over `rate(otpflow_http_requests_total[5m])`. The
 * driver's own server monitoring (`hello` heartbeats) and connection handshakes are not counted.
 * Every read of the counter (a scrape, a test's `get()`) first adds what was counted since the last
 * one, so it always shows every command started so far. Returns the function that stops counting.
 */
export function countStoreCommands(client: MongoClient, registry: Registry): () => void {
  hookDriver();
  const pending = new PendingCounts();
  const commands: Counter<'command' | 'collection'> = new Counter({
    name: 'otpflow_store_commands_total',
    help: 'Commands sent to the database, by command name and collection ("" for server commands).',
    labelNames: ['command', 'collection'] as const,
    registers: [registry],
    collect() {
      pending.drain((command, collection, count) => {
        commands.inc({ command, collection }, count);
      });
    },
  });
  countedClients.set(client, pending);
  return () => {
    if (countedClients.get(client) === pending) countedClients.delete(client);
  };
}
