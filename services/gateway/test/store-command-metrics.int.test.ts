import { countStoreCommands } from '@otpflow/mongo';
import { createTestContext } from '@otpflow/testing';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEST_NUMBER, TEST_NUMBER_CODE, type GatewayHarness } from './gateway-harness.js';

/** The otpflow_store_commands_total series of a /metrics page: `command|collection` → count. */
async function storeCommands(url: string): Promise<Map<string, number>> {
  const page = await (await fetch(`${url}/metrics`)).text();
  const series = new Map<string, number>();
  for (const match of page.matchAll(/^otpflow_store_commands_total\{([^}]*)\} (\d+)$/gm)) {
    const labels = new Map(
      [...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [name, value]),
    );
    series.set(`${labels.get('command')}|${labels.get('collection')}`, Number(match[2]));
  }
  return series;
}

const total = (series: Map<string, number>) => [...series.values()].reduce((sum, count) => sum + count, 0);

describe('store commands on /metrics', () => {
  let harness: GatewayHarness;

  beforeAll(async () => {
    harness = await startHarness('storecmds');
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('counts every command the requests send, by command name and collection', async () => {
    const before = await storeCommands(harness.url);
    const id = await harness.sendCode(TEST_NUMBER);
    const validated = await harness.post('/one-time-password-sms/v1/validate-code', {
      authenticationId: id,
      code: TEST_NUMBER_CODE,
    });
    expect(validated.status).toBe(204);
    const after = await storeCommands(harness.url);

    // A send-code and a validate-code each write to the store at least once.
    expect(total(after) - total(before)).toBeGreaterThanOrEqual(2);
    // Every scrape of /metrics pings the database (otpflow_dependency_up): a server command, on no
    // collection, that is the scrape's and not the requests'.
    const grown = [...after]
      .filter(([key, count]) => count > (before.get(key) ?? 0) && key !== 'ping|')
      .map(([key]) => key);
    expect(grown.length).toBeGreaterThan(0);
    for (const key of grown) {
      const [command, collection] = key.split('|');
      // Request commands are CRUD commands on a named collection of the gateway's database.
      expect(['insert', 'find', 'update', 'delete', 'findAndModify', 'aggregate', 'getMore']).toContain(
        command,
      );
      expect(collection).toMatch(/^[a-z_]+$/);
    }
  });
});

describe('store commands with MONGODB_COMMAND_METRICS=false', () => {
  it('has no such metric, and the driver monitors no command', async () => {
    const harness = await startHarness('nostorecmds', { MONGODB_COMMAND_METRICS: 'false' });
    try {
      await harness.sendCode(TEST_NUMBER);
      expect((await storeCommands(harness.url)).size).toBe(0);
      expect(harness.gateway.mongo.getClient().options.monitorCommands).toBe(false);
    } finally {
      await harness.stop();
    }
  });
});

/** A registry's otpflow_store_commands_total series: `command|collection` → count. */
async function countedSeries(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('otpflow_store_commands_total')?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map(({ labels, value }) => [`${labels.command}|${labels.collection}`, value]),
  );
}

describe('countStoreCommands against the driver', () => {
  it('counts what command monitoring reports, by command and collection, for that client only', async () => {
    const context = createTestContext('storecmds-driver');
    // Command monitoring is the reference: the driver's own account of every command it sends.
    const client = new MongoClient(context.mongoUrl, { monitorCommands: true, maxPoolSize: 3 });
    const other = new MongoClient(context.mongoUrl);
    const registry = new Registry();
    const monitored = new Map<string, number>();
    const onStarted = (event: CommandStartedEvent) => {
      const target: unknown = event.command[event.commandName];
      const collection: unknown = typeof target === 'string' ? target : event.command.collection;
      const key = `${event.commandName}|${typeof collection === 'string' ? collection : ''}`;
      monitored.set(key, (monitored.get(key) ?? 0) + 1);
    };
    try {
      // Counted before the client connects: its pool's first connections are counted too.
      const stop = countStoreCommands(client, registry);
      client.on('commandStarted', onStarted);
      await client.connect();
      await other.connect();
      const db = client.db(context.databaseName);
      const items = db.collection<{ _id: number; n?: number }>('items');
      await items.createIndex({ n: 1 }, {}, undefined);
      await items.insertMany(Array.from({ length: 12 }, (_, index) => ({ _id: index })));
      await items.insertOne({ _id: 100 });
      await items.updateOne({ _id: 1 }, { $set: { n: 1 } });
      await items.findOneAndUpdate({ _id: 2 }, { $inc: { n: 1 } });
      expect(await items.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
      // Small batches: the cursor's getMores are commands on the collection too.
      expect(await items.find({}, { batchSize: 5 }).toArray()).toHaveLength(13);
      await Promise.all(Array.from({ length: 6 }, (_, index) => items.findOne({ _id: index })));
      await items.deleteOne({ _id: 100 });
      await items.countDocuments({});
      await db.command({ ping: 1 });
      await items.insertOne({ _id: 1 }).catch(() => undefined);
      // Another client's commands are not this one's.
      await other.db(context.databaseName).collection('items').findOne({});
      client.off('commandStarted', onStarted);
      const counted = await countedSeries(registry);
      expect(counted).toEqual(Object.fromEntries(monitored));
      expect(counted['find|items']).toBeGreaterThanOrEqual(8);
      expect(counted['getMore|items']).toBeGreaterThanOrEqual(2);
      expect(counted['ping|']).toBe(1);

      stop();
      await items.findOne({ _id: 1 });
      expect(await countedSeries(registry)).toEqual(counted);
    } finally {
      await client.close();
      await other.close();
      await context.dispose();
    }
  });
});
