import type { CommandStartedEvent, MongoClient } from 'mongodb';
import { Counter, type Registry } from 'prom-client';

/**
 * The collection a command works on: the value of its first field for the CRUD and index commands
 * (`{ insert: 'sessions', ... }`), `collection` for getMore, none for database and server commands
 * (`ping`, `endSessions`). Collection names are fixed by the code, so the label stays bounded.
 */
function collectionOf(event: CommandStartedEvent): string {
  const target: unknown = event.command[event.commandName];
  if (typeof target === 'string') return target;
  const collection: unknown = event.command.collection;
  return typeof collection === 'string' ? collection : '';
}

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
 * `otpflow_store_commands_total{command,collection}`: every command the service sends to the
 * database, from the driver's command monitoring (so the client must be made with
 * `monitorCommands: true`; see MongoSettings). Commands per API request is the store's share of the
 * work: `rate(otpflow_store_commands_total[5m])` over `rate(otpflow_http_requests_total[5m])`. The
 * driver's own server monitoring (`hello` heartbeats) is not a command and is not counted. Every read
 * of the counter (a scrape, a test's `get()`) first adds what was counted since the last one, so it
 * always shows every command started so far. Returns the function that stops counting.
 */
export function countStoreCommands(client: MongoClient, registry: Registry): () => void {
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
  const onStarted = (event: CommandStartedEvent) => {
    pending.add(event.commandName, collectionOf(event));
  };
  client.on('commandStarted', onStarted);
  return () => {
    client.off('commandStarted', onStarted);
  };
}
