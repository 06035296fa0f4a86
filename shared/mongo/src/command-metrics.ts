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
 * `otpflow_store_commands_total{command,collection}`: every command the service sends to the
 * database, from the driver's command monitoring (so the client must be made with
 * `monitorCommands: true`; see MongoSettings). Commands per API request is the store's share of the
 * work: `rate(otpflow_store_commands_total[5m])` over `rate(otpflow_http_requests_total[5m])`. The
 * driver's own server monitoring (`hello` heartbeats) is not a command and is not counted. Returns the
 * function that stops counting.
 */
export function countStoreCommands(client: MongoClient, registry: Registry): () => void {
  const commands = new Counter({
    name: 'otpflow_store_commands_total',
    help: 'Commands sent to the database, by command name and collection ("" for server commands).',
    labelNames: ['command', 'collection'] as const,
    registers: [registry],
  });
  const onStarted = (event: CommandStartedEvent) => {
    commands.inc({ command: event.commandName, collection: collectionOf(event) });
  };
  client.on('commandStarted', onStarted);
  return () => {
    client.off('commandStarted', onStarted);
  };
}
