import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimsGuard } from '../src/otp/store/claims.guard.js';
import { ConditionalUpdateGuard } from '../src/otp/store/conditional-update.guard.js';
import { ADMIN_KEY, startHarness, uniqueMobile, type GatewayHarness } from './gateway-harness.js';

const SEND = '/one-time-password-sms/v1/send-code';
const VALIDATE = '/one-time-password-sms/v1/validate-code';
/** Requests per measured operation: two lease refills of each per-client counter (leases of 10). */
const REQUESTS = 20;
/** What a request may cost in all (issue 13), per strategy: [send-code, validate-code]. */
const TARGETS = { 'conditional-update': [1.3, 1.3], claims: [1.3, 2.3] } as const;
/** Commands that read or write data; the driver's own (hello, ping, endSessions…) are not the request's. */
const DATA_COMMANDS = new Set([
  'find',
  'insert',
  'update',
  'delete',
  'findAndModify',
  'aggregate',
  'count',
  'getMore',
]);

/** The gateway's otpflow_store_commands_total series of data commands, by collection. */
async function dataCommands(url: string): Promise<Map<string, number>> {
  const page = await (await fetch(`${url}/metrics`)).text();
  const byCollection = new Map<string, number>();
  for (const match of page.matchAll(
    /^otpflow_store_commands_total\{command="([^"]*)",collection="([^"]*)"\} (\d+)$/gm,
  )) {
    const [, command = '', collection = '', count = '0'] = match;
    if (DATA_COMMANDS.has(command))
      byCollection.set(collection, (byCollection.get(collection) ?? 0) + Number(count));
  }
  return byCollection;
}

/**
 * Counts the data commands the gateway sends, by collection, from its own store-command counter (whose
 * counts store-command-metrics.int.test.ts checks against the driver's command monitoring). Reading
 * /metrics pings the database: a server command, not a data one.
 */
class CommandCounter {
  constructor(private readonly url: () => string) {}

  async during(work: () => Promise<void>): Promise<Record<string, number>> {
    const before = await dataCommands(this.url());
    await work();
    const after = await dataCommands(this.url());
    const grown: Record<string, number> = {};
    for (const [collection, count] of after) {
      const added = count - (before.get(collection) ?? 0);
      if (added > 0) grown[collection] = added;
    }
    return grown;
  }
}

const total = (counts: Record<string, number>) =>
  Object.values(counts).reduce((sum, count) => sum + count, 0);

/**
 * Store commands per request, from the gateway's own otpflow_store_commands_total (counts are deterministic:
 * asserting them is not a timing test): every request touches its number's document once or twice,
 * and the per-client counters are spent in leases. Run with the strategy the store gets and, since
 * one request at a time is all either needs, with the other.
 */
describe.each(['conditional-update', 'claims'] as const)('store commands per request, %s', (strategy) => {
  let harness: GatewayHarness;
  const counter = new CommandCounter(() => harness.url);
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    harness = await startHarness(
      `commands-${strategy}`,
      // No sweeper during the measurements (FerretDB); the limits never refuse; the request-rate lease
      // is refilled per 10 requests only (with 1-second windows it is also refilled every second).
      {
        EXPIRY_SWEEP_INTERVAL_MS: '3600000',
        MAX_SENDS: '1000',
        CLIENT_RATE_WINDOW_SECONDS: '3600',
        MONGODB_COMMAND_METRICS: 'true',
        // The fraud guard decides from memory and syncs its counts in the background, once per interval
        // for all the sends of it (its cost per send is bench/fraud-sim.mjs's figure): a sync landing
        // inside a measurement is not the request's. The longest interval keeps it out of these.
        FRAUD_SYNC_INTERVAL_MS: '60000',
      },
      {
        attemptGuard: (context) =>
          strategy === 'conditional-update' ? new ConditionalUpdateGuard(context) : new ClaimsGuard(context),
      },
    );
    await harness.call(
      'PUT',
      '/v1/admin/policies/client-a',
      { resendIntervalSeconds: 0 },
      { key: ADMIN_KEY },
    );
    // Warm the policy cache: a policy is read once per POLICY_CACHE_SECONDS, not per request.
    await harness.sendCode(uniqueMobile());
  });
  afterAll(async () => {
    console.log(
      `[store commands] ${strategy} (${harness.gateway.capabilities.kind}): ${JSON.stringify(figures)}`,
    );
    await harness.stop();
  });

  async function sendCodes(): Promise<{ id: string; code: string }[]> {
    const ids: string[] = [];
    const counts = await counter.during(async () => {
      for (let index = 0; index < REQUESTS; index += 1) ids.push(await harness.sendCode(uniqueMobile()));
    });
    figures.sendCode = { ...counts, perRequest: total(counts) / REQUESTS };
    expect(counts.numbers).toBe(REQUESTS);
    expect(total(counts) / REQUESTS).toBeLessThanOrEqual(TARGETS[strategy][0]);
    return Promise.all(ids.map(async (id) => ({ id, code: (await harness.takeJob(id)).payload.code })));
  }

  it('send-code: one upsert of the number, and the right code one (MongoDB) or two (FerretDB) commands', async () => {
    const sent = await sendCodes();
    const counts = await counter.during(async () => {
      for (const { id, code } of sent)
        expect((await harness.post(VALIDATE, { authenticationId: id, code })).status).toBe(204);
    });
    figures.validateCode = { ...counts, perRequest: total(counts) / REQUESTS };
    expect(counts.numbers).toBe(strategy === 'claims' ? 2 * REQUESTS : REQUESTS);
    expect(total(counts) / REQUESTS).toBeLessThanOrEqual(TARGETS[strategy][1]);
  });

  it('a wrong code costs two commands on either strategy', async () => {
    const sent = await sendCodes();
    const counts = await counter.during(async () => {
      for (const { id, code } of sent) {
        const wrong = code === '000000' ? '111111' : '000000';
        expect((await harness.post(VALIDATE, { authenticationId: id, code: wrong })).status).toBe(400);
      }
    });
    figures.wrongCode = { ...counts, perRequest: total(counts) / REQUESTS };
    expect(counts.numbers).toBe(2 * REQUESTS);
  });

  it('native create, check, status, resend and cancel touch the number once or twice each', async () => {
    const perOperation: Record<string, Record<string, number>> = {};
    const measure = async (name: string, work: () => Promise<void>) => {
      perOperation[name] = await counter.during(work);
    };
    let id = '';
    await measure('create', async () => {
      const created = await harness.post('/v1/verifications', { to: uniqueMobile() });
      expect(created.status).toBe(201);
      id = (created.body as { id: string }).id;
    });
    const { payload } = await harness.takeJob(id);
    const wrong = payload.code === '000000' ? '111111' : '000000';
    await measure('check', async () => {
      expect((await harness.post(`/v1/verifications/${id}/check`, { code: wrong })).status).toBe(200);
    });
    await measure('status', async () => {
      expect((await harness.call('GET', `/v1/verifications/${id}`)).status).toBe(200);
    });
    await measure('resend', async () => {
      expect((await harness.post(`/v1/verifications/${id}/resend`, undefined)).status).toBe(200);
    });
    await measure('cancel', async () => {
      expect((await harness.post(`/v1/verifications/${id}/cancel`, undefined)).status).toBe(200);
    });
    figures.native = perOperation;
    const onNumbers = (name: string) => perOperation[name]?.numbers ?? 0;
    // With claims, a read of the code reads its claims too, one `_id` each (the check's claim in slot 1,
    // and the free slot 2); a cancel finds slot 1 taken, reads it, and claims slot 2.
    const expected =
      strategy === 'claims'
        ? { create: 1, check: 2, status: 3, resend: 4, cancel: 4 }
        : { create: 1, check: 2, status: 1, resend: 2, cancel: 1 };
    expect(Object.fromEntries(Object.keys(expected).map((name) => [name, onNumbers(name)]))).toEqual(
      expected,
    );
    expect(perOperation.status?.deliveries).toBe(1);
    // Nothing else of the hot path is read per request: no sessions, claims or per-number counters.
    for (const counts of Object.values(perOperation))
      expect(
        Object.keys(counts).filter(
          (name) => !['numbers', 'deliveries', 'limits_requests', 'limits_quota'].includes(name),
        ),
      ).toEqual([]);
  });

  it('send-code refused by a cap costs one read more, to say until when', async () => {
    const phone = uniqueMobile();
    await harness.call(
      'PUT',
      '/v1/admin/policies/client-a',
      { sends: { max: 1, windowSeconds: 900 } },
      { key: ADMIN_KEY },
    );
    // The policy cache of this gateway is dropped on a write through it.
    await harness.sendCode(phone);
    const counts = await counter.during(async () => {
      expect((await harness.post(SEND, { phoneNumber: phone, message: '{{code}}' })).status).toBe(403);
    });
    figures.refusedSend = counts;
    expect(counts.numbers).toBe(2);
  });
});
