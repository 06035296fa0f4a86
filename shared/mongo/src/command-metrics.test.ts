import { EventEmitter } from 'node:events';
import type { MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { countStoreCommands } from './command-metrics.js';

/** A `commandStarted` event as the driver's command monitoring emits it, reduced to what is read. */
const started = (commandName: string, command: Record<string, unknown>) => ({ commandName, command });

/** The counter's series as a scrape shows them: `command|collection` → count. */
async function series(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('otpflow_store_commands_total')?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map(({ labels, value }) => [`${labels.command}|${labels.collection}`, value]),
  );
}

describe('countStoreCommands', () => {
  it('shows every command started before each read, by command and collection, adding up over reads', async () => {
    const client = new EventEmitter();
    const registry = new Registry();
    countStoreCommands(client as unknown as MongoClient, registry);

    client.emit('commandStarted', started('find', { find: 'numbers', filter: {} }));
    client.emit('commandStarted', started('insert', { insert: 'numbers', documents: [] }));
    client.emit('commandStarted', started('find', { find: 'numbers', filter: {} }));
    client.emit('commandStarted', started('getMore', { getMore: 7, collection: 'deliveries' }));
    client.emit('commandStarted', started('ping', { ping: 1 }));
    expect(await series(registry)).toEqual({
      'find|numbers': 2,
      'insert|numbers': 1,
      'getMore|deliveries': 1,
      'ping|': 1,
    });

    client.emit('commandStarted', started('find', { find: 'numbers', filter: {} }));
    expect(await series(registry)).toEqual({
      'find|numbers': 3,
      'insert|numbers': 1,
      'getMore|deliveries': 1,
      'ping|': 1,
    });
    expect(await registry.metrics()).toContain(
      'otpflow_store_commands_total{command="find",collection="numbers"} 3',
    );
  });

  it('counts nothing more once stopped', async () => {
    const client = new EventEmitter();
    const registry = new Registry();
    const stop = countStoreCommands(client as unknown as MongoClient, registry);
    client.emit('commandStarted', started('update', { update: 'limits', updates: [] }));
    stop();
    client.emit('commandStarted', started('update', { update: 'limits', updates: [] }));
    expect(await series(registry)).toEqual({ 'update|limits': 1 });
  });
});
