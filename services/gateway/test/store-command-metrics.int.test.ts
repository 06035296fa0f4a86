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
