import { createTestContext, type TestContext } from '@otpflow/testing';
import { MongoClient, type Collection } from 'mongodb';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MongoWindowCounter, type CounterDocument } from '../src/otp/window-counter.js';

/**
 * The per-client counter against the real store: a window's count, its refusal past the limit, and
 * the commands a new window costs (counted with the driver's command monitoring).
 */
describe('MongoWindowCounter', () => {
  let context: TestContext;
  let client: MongoClient;
  let collection: Collection<CounterDocument>;
  const commands: string[] = [];
  beforeAll(async () => {
    context = createTestContext('window-counter');
    client = await new MongoClient(context.mongoUrl, { monitorCommands: true }).connect();
    client.on('commandStarted', (event) => {
      if (event.commandName === 'findAndModify' || event.commandName === 'update')
        commands.push(event.commandName);
    });
    collection = client.db(context.databaseName).collection<CounterDocument>('limits_requests');
    await collection.createIndex({ key: 1 }, { unique: true, name: 'key_unique' }, undefined);
  });
  afterAll(async () => {
    await client.close();
    await context.dispose();
  });
  /** The counters' clock: a test moves it past a window's end instead of waiting for it. */
  let now = Date.now();
  beforeEach(() => {
    commands.length = 0;
    now = Date.now();
  });
  const counter = (points: number) => new MongoWindowCounter(collection, 'requests', points, 60, () => now);
  const endWindow = () => {
    now += 61_000;
  };

  it('counts a window in one command per consume and refuses past the limit with the total', async () => {
    const acme = counter(25);
    await acme.consume('acme', 10);
    await acme.consume('acme', 10);
    const refusal = await acme.consume('acme', 10).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimiterRes);
    expect((refusal as RateLimiterRes).consumedPoints).toBe(30);
    expect((refusal as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
    await acme.reward('acme', 5);
    expect((await collection.findOne({ key: 'requests:acme' }))?.points).toBe(25);
    expect(commands).toEqual(['findAndModify', 'findAndModify', 'findAndModify', 'update']);
  });

  it('starts a window it knows has ended with one command', async () => {
    const globex = counter(100);
    await globex.consume('globex', 10);
    endWindow();
    commands.length = 0;

    const result = await globex.consume('globex', 10);

    expect(result.consumedPoints).toBe(10);
    expect(commands).toEqual(['findAndModify']);
  });

  it('starts the window of a document it never saw, ended, over the duplicate key', async () => {
    await counter(100).consume('initech', 40);
    endWindow();
    commands.length = 0;

    const result = await counter(100).consume('initech', 10);

    expect(result.consumedPoints).toBe(10);
    expect(commands).toEqual(['findAndModify', 'findAndModify']);
  });

  it('counts both replicas when two start the same new window', async () => {
    const [first, second] = [counter(100), counter(100)];
    await first.consume('umbrella', 1);
    await second.consume('umbrella', 1);
    endWindow();

    await first.consume('umbrella', 10);
    // The second knows the window ended too; its start finds the window the first began and adds to it.
    const result = await second.consume('umbrella', 10);

    expect(result.consumedPoints).toBe(20);
    expect((await collection.findOne({ key: 'requests:umbrella' }))?.points).toBe(20);
  });
});
