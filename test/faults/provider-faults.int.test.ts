import { setTimeout as sleep } from 'node:timers/promises';
import {
  type DescriptorCount,
  freePort,
  InspectorSession,
  MB,
  openDescriptors,
  waitFor,
  waitUntilServing,
} from '@otpflow/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FakeHttpServer,
  type CannedResponse,
} from '../../services/dispatcher/test/fakes/fake-http-server.js';
import { ChildService } from '../support/child-service.js';
import { acceptAll, startStack, type Stack } from '../support/stack.js';
import { printFigures } from './support/figures.js';
import { freshMobile } from './support/steady-load.js';

const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
const PROVIDER_TIMEOUT_MS = 500;
/** The dispatcher's MongoDB pool cap here: the most its pool can grow by during a burst. */
const MONGO_POOL = 5;
const BURST = 200;
const ROUNDS = 2;

/** What the first provider (Twilio's API, served locally) does with each request. */
type Behaviour = 'accept' | 'hang' | 'slow' | 'slow-within-timeout' | 'garbage' | 'cut-off';

const twilioAccepted = (): CannedResponse => ({
  status: 201,
  body: JSON.stringify({ sid: `SM${'0123456789abcdef'.repeat(2)}`, status: 'queued' }),
});

/**
 * Providers that misbehave: the first provider of the route hangs, answers after the timeout, answers
 * within it, answers a 2xx that is not its API's JSON, or cuts its answer off. The dispatcher (run
 * as its own process, as in production) must give up after PROVIDER_TIMEOUT_MS, fail over to the next
 * provider (the webhook), retry when every provider failed, deliver — and leave no socket or memory
 * behind after a burst of such failures.
 */
describe('providers that hang, crawl or answer garbage', () => {
  let stack: Stack;
  let twilio: FakeHttpServer;
  let dispatcher: ChildService;
  let dispatcherUrl: string;
  let behaviour: Behaviour = 'accept';
  let inspector: InspectorSession | undefined;

  beforeAll(async () => {
    twilio = await new FakeHttpServer(async (): Promise<CannedResponse> => {
      switch (behaviour) {
        case 'accept':
          return twilioAccepted();
        case 'hang':
          return { status: 201, hang: true };
        case 'slow':
          await sleep(PROVIDER_TIMEOUT_MS * 3);
          return twilioAccepted();
        case 'slow-within-timeout':
          await sleep(PROVIDER_TIMEOUT_MS / 5);
          return twilioAccepted();
        case 'garbage':
          return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>OK</html>' };
        case 'cut-off':
          return { status: 200, garble: true };
      }
    }).start();
    stack = await startStack('providerfault', {
      startDispatcher: false,
      // The bursts below send codes far faster than the default 100 requests a second; this test is
      // about the providers, not the client's request rate.
      gatewayEnv: { CLIENT_RATE_LIMIT: '100000' },
    });
    const port = await freePort();
    dispatcherUrl = `http://127.0.0.1:${port}`;
    dispatcher = new ChildService('dispatcher', {
      ...stack.dispatcherEnv,
      PORT: String(port),
      LOG_LEVEL: 'error',
      SMS_PROVIDERS: 'twilio,webhook',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: 'b'.repeat(32),
      TWILIO_FROM: '+15005550006',
      TWILIO_BASE_URL: twilio.url,
      PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      // The breaker would soon skip a hanging provider without calling it; here every job must go
      // through the timeout path, which is what can leak.
      CIRCUIT_BREAKER_FAILURES: '1000000',
      PREFETCH: '16',
      MONGODB_MAX_POOL_SIZE: String(MONGO_POOL),
      // The leak check forces a full GC in the dispatcher through the inspector before it reads memory.
      NODE_OPTIONS: '--inspect=127.0.0.1:0',
    }).start();
    await waitUntilServing(dispatcherUrl, { timeoutMs: 30_000, what: 'the dispatcher to be ready' });
  }, 60_000);

  afterAll(async () => {
    // A process with a debugger attached waits for it to detach before it exits.
    inspector?.close();
    await dispatcher.stop();
    await stack.stop();
    await twilio.close();
  });

  beforeEach(() => {
    behaviour = 'accept';
    stack.webhook.respondWith(acceptAll);
  });

  async function deliveredThrough(authenticationId: string) {
    const delivery = await waitFor(
      async () => {
        const found = await stack.delivery(authenticationId);
        return found?.status === 'sent' ? found : undefined;
      },
      { timeoutMs: 20_000, what: `the delivery record of ${authenticationId}` },
    );
    return {
      provider: delivery.provider,
      attempts: delivery.attempts,
      history: delivery.history?.map((entry) => `${entry.provider}:${entry.outcome}`),
    };
  }

  it('gives up on a provider that never answers after PROVIDER_TIMEOUT_MS and fails over', async () => {
    behaviour = 'hang';
    const started = performance.now();
    const authenticationId = await stack.sendCode(freshMobile());
    expect(await deliveredThrough(authenticationId)).toEqual({
      provider: 'webhook',
      attempts: 1,
      history: ['twilio:timeout', 'webhook:accepted'],
    });
    const tookMs = Math.round(performance.now() - started);
    expect(tookMs).toBeGreaterThanOrEqual(PROVIDER_TIMEOUT_MS);
    printFigures('provider hang:', `delivered through the webhook after ${tookMs} ms`);
  });

  it('treats an answer after the timeout as a timeout, and one within it as an answer', async () => {
    behaviour = 'slow';
    expect(await deliveredThrough(await stack.sendCode(freshMobile()))).toMatchObject({
      provider: 'webhook',
      history: ['twilio:timeout', 'webhook:accepted'],
    });
    behaviour = 'slow-within-timeout';
    expect(await deliveredThrough(await stack.sendCode(freshMobile()))).toMatchObject({
      provider: 'twilio',
      history: ['twilio:accepted'],
    });
  });

  it('fails over from a 2xx that is not the API’s JSON, and from an answer cut off mid-line', async () => {
    behaviour = 'garbage';
    expect(await deliveredThrough(await stack.sendCode(freshMobile()))).toMatchObject({
      provider: 'webhook',
      history: ['twilio:retryable_error', 'webhook:accepted'],
    });
    behaviour = 'cut-off';
    expect(await deliveredThrough(await stack.sendCode(freshMobile()))).toMatchObject({
      provider: 'webhook',
      history: ['twilio:retryable_error', 'webhook:accepted'],
    });
  });

  it('retries the whole route later when every provider failed, then delivers', async () => {
    behaviour = 'hang';
    let webhookCalls = 0;
    stack.webhook.respondWith(() => {
      webhookCalls += 1;
      return webhookCalls === 1 ? { status: 200, garble: true } : acceptAll();
    });
    expect(await deliveredThrough(await stack.sendCode(freshMobile()))).toEqual({
      provider: 'webhook',
      attempts: 2,
      history: ['twilio:timeout', 'webhook:retryable_error', 'twilio:timeout', 'webhook:accepted'],
    });
  });

  /** Sends `count` codes (a few at a time) and waits until the webhook has every one of them. */
  async function burst(count: number): Promise<number> {
    const started = performance.now();
    const ids: string[] = [];
    for (let index = 0; index < count; index += 10) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, count - index) }, () => stack.sendCode(freshMobile())),
        )),
      );
    }
    await waitFor(
      () => {
        const delivered = new Set(stack.accepted().map((message) => message.authenticationId));
        return ids.every((id) => delivered.has(id));
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `the burst of ${count} to be delivered` },
    );
    return performance.now() - started;
  }

  /** Waits until the dispatcher holds no connection to either provider (none in use, none idle). */
  async function providerConnectionsClosed(): Promise<void> {
    await waitFor(() => twilio.openConnections === 0 && stack.webhook.openConnections === 0, {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: 'the connections to the providers to close',
    });
  }

  it('leaks no socket and no memory over bursts of timed-out provider calls', async () => {
    const pid = dispatcher.pid;
    if (pid === undefined) throw new Error('no dispatcher process');
    inspector = await InspectorSession.attach(() => dispatcher.output.join(''));
    behaviour = 'hang';
    // Warm-up: pools, JIT and heap reach their working size first.
    await burst(40);
    // Idle keep-alive connections to the providers close after 4-5 s (undici's and Node's server
    // defaults); measure once both providers see none left.
    await providerConnectionsClosed();
    const before = await openDescriptors(pid);
    const memoryBefore = await inspector.memoryAfterGc();

    const burstMs: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) burstMs.push(await burst(BURST));
    // Every job opened a connection to the hanging provider and abandoned it at the timeout: a leak
    // would leave ROUNDS × BURST sockets. Allowed: the MongoDB pool growing to its cap (MONGO_POOL) and
    // a few connections still closing, after the same pause for idle keep-alive connections as before.
    const allowance = MONGO_POOL + 5;
    await providerConnectionsClosed();
    let after: DescriptorCount = before;
    try {
      await waitFor(
        async () => {
          after = await openDescriptors(pid);
          return after.sockets <= before.sockets + allowance;
        },
        { timeoutMs: 20_000, intervalMs: 500, what: 'the dispatcher sockets to settle' },
      );
    } catch {
      // The assertions below report the figures.
    }
    const memoryAfter = await inspector.memoryAfterGc();
    const mb = (bytes: number) => +(bytes / MB).toFixed(1);
    const figures = {
      timedOutCalls: ROUNDS * BURST,
      burstMs: burstMs.map(Math.round),
      descriptorsBefore: before,
      descriptorsAfter: after,
      heapUsedAfterGcMb: [mb(memoryBefore.heapUsed), mb(memoryAfter.heapUsed)],
      externalAfterGcMb: [mb(memoryBefore.external), mb(memoryAfter.external)],
      rssAfterGcMb: [mb(memoryBefore.rss), mb(memoryAfter.rss)],
    };
    printFigures('provider leak', figures);
    expect(after.sockets, JSON.stringify(figures)).toBeLessThanOrEqual(before.sockets + allowance);
    expect(after.total, JSON.stringify(figures)).toBeLessThanOrEqual(before.total + allowance + 5);
    // Measured after a forced full GC, so what is compared is what the process retains. Anything kept
    // per call (a request, its AbortSignal, a socket with its buffers: tens of KB) would add 8 MB or
    // more over ROUNDS × BURST calls; the heap of a healthy run moves by well under 1 MB.
    expect(memoryAfter.heapUsed - memoryBefore.heapUsed, JSON.stringify(figures)).toBeLessThan(8 * MB);
    expect(memoryAfter.external - memoryBefore.external, JSON.stringify(figures)).toBeLessThan(8 * MB);
    // RSS also moves with the allocator's own caching, so its bound only catches gross native leaks.
    expect(memoryAfter.rss - memoryBefore.rss, JSON.stringify(figures)).toBeLessThan(64 * MB);
  }, 120_000);
});
