import { createTestContext, waitFor, type TestContext } from '@otpflow/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyStore } from '../src/http/idempotency.js';

const LEASE_MS = 30_000;
const TTL_SECONDS = 86_400;

/** A request's work whose end the test decides: a crashed process never ends it at all. */
function controlled<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const conflictOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ran',
    (error: unknown) => (error as { code?: string }).code,
  );

/**
 * Idempotency keys against the real store: a key whose first request never finished (the gateway
 * crashed or stalled) is held only for its lease, after which a retry runs; and a request that lost
 * its lease can neither overwrite nor free the key of the one that took over.
 */
describe('IdempotencyStore leases', () => {
  let context: TestContext;
  let client: MongoClient;
  let store: IdempotencyStore;
  /** Another gateway with a lease no test outlives: what it claims stays claimed. */
  let patient: IdempotencyStore;
  let sequence = 0;
  /** The clock both stores read: the test moves it, so no lease passes unless a test says so. */
  let now = 1_700_000_000_000;
  const scope = (request: unknown = { to: '+34600000001' }) => {
    return { clientId: 'client-a', key: `lease-${sequence}`, operation: 'create', request };
  };
  /** Waits until the request started last holds its key (its entry is in the store). */
  const claimed = () =>
    waitFor(
      async () =>
        (await client
          .db()
          .collection('idempotency_keys')
          .findOne({ _id: `client-a:lease-${sequence}` as never }))
          ? true
          : undefined,
      { what: 'the first request to take its key' },
    );
  const leasePasses = () => {
    now += LEASE_MS;
  };

  beforeAll(async () => {
    context = createTestContext('idempotency');
    client = await MongoClient.connect(context.mongoUrl);
    store = new IdempotencyStore(client.db(), TTL_SECONDS, { leaseMs: LEASE_MS, now: () => now });
    patient = new IdempotencyStore(client.db(), TTL_SECONDS, { leaseMs: 60_000, now: () => now });
  });
  afterAll(async () => {
    await client.close();
    await context.dispose();
  });

  it('answers 409 while the first request holds its lease, and runs a retry once the lease has passed', async () => {
    sequence += 1;
    const crashed = controlled<{ status: number; body: unknown }>();
    void store.run(scope(), () => crashed.promise).catch(() => undefined);
    await claimed();
    expect(await conflictOf(store.run(scope(), () => Promise.resolve({ status: 201, body: 'retry' })))).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    leasePasses();
    const retried = await store.run(scope(), () => Promise.resolve({ status: 201, body: 'retry' }));
    expect(retried).toEqual({ status: 201, body: 'retry', replayed: false });
    expect(await store.run(scope(), () => Promise.resolve({ status: 201, body: 'third' }))).toEqual({
      status: 201,
      body: 'retry',
      replayed: true,
    });
  });

  it('keeps the answer of the request that took over when the one that lost its lease ends late', async () => {
    sequence += 1;
    const slow = controlled<{ status: number; body: unknown }>();
    const first = store.run(scope(), () => slow.promise);
    await claimed();
    leasePasses();
    expect(await store.run(scope(), () => Promise.resolve({ status: 201, body: 'second' }))).toMatchObject({
      body: 'second',
    });
    slow.resolve({ status: 201, body: 'first, late' });
    // Its own client still gets its answer; the key keeps the one the retry stored.
    expect(await first).toMatchObject({ body: 'first, late', replayed: false });
    expect(await store.run(scope(), () => Promise.resolve({ status: 201, body: 'x' }))).toEqual({
      status: 201,
      body: 'second',
      replayed: true,
    });
  });

  it('never lets a request that lost its lease free the key of the one that took over', async () => {
    sequence += 1;
    const slow = controlled<{ status: number; body: unknown }>();
    const first = conflictOf(store.run(scope(), () => slow.promise));
    await claimed();
    leasePasses();
    const holder = controlled<{ status: number; body: unknown }>();
    let taken = false;
    const second = store.run(scope(), () => {
      taken = true;
      return holder.promise;
    });
    await waitFor(() => (taken ? true : undefined), { what: 'the retry to take the key over' });
    slow.reject(new Error('the provider call failed'));
    expect(await first).toBeUndefined();
    // The second still holds the key: a third request is a conflict, not a fresh run.
    expect(await conflictOf(store.run(scope(), () => Promise.resolve({ status: 201, body: 'x' })))).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    holder.resolve({ status: 201, body: 'second' });
    expect(await second).toMatchObject({ body: 'second' });
  });

  it('answers 409 to another request with the key, whether its first request is live or stale', async () => {
    sequence += 1;
    const stuck = controlled<{ status: number; body: unknown }>();
    void store.run(scope(), () => stuck.promise).catch(() => undefined);
    await claimed();
    leasePasses();
    expect(
      await conflictOf(
        store.run(scope({ to: '+34600000002' }), () => Promise.resolve({ status: 201, body: 'x' })),
      ),
    ).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('lets exactly one of many retries take over a stale key', async () => {
    sequence += 1;
    const stuck = controlled<{ status: number; body: unknown }>();
    void store.run(scope(), () => stuck.promise).catch(() => undefined);
    await claimed();
    leasePasses();
    let ran = 0;
    let settled = 0;
    const hold = controlled<{ status: number; body: unknown }>();
    const retries = Array.from({ length: 8 }, () =>
      conflictOf(
        patient.run(scope(), () => {
          ran += 1;
          return hold.promise;
        }),
      ).finally(() => {
        settled += 1;
      }),
    );
    await waitFor(() => (settled === 7 ? true : undefined), { what: 'seven retries refused' });
    hold.resolve({ status: 201, body: 'once' });
    const outcomes = await Promise.all(retries);
    expect(ran).toBe(1);
    expect(outcomes.filter((outcome) => outcome === 'ran')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'IDEMPOTENCY_CONFLICT')).toHaveLength(7);
  });
});
