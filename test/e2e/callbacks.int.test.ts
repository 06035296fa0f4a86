import { Client, verifyWebhook, type WebhookEventType } from '@otpflow/sdk';
import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeHttpServer,
  type CannedResponse,
  type CapturedRequest,
} from '../../services/dispatcher/test/fakes/fake-http-server.js';
import { printFigures } from '../faults/support/figures.js';
import { API_KEY, receiptHeaders, startStack, type Stack } from '../support/stack.js';

let phoneSequence = 0;
const phone = () =>
  `+3462${String(Date.now() % 1_000_000).padStart(6, '0')}${String((phoneSequence += 1) % 10)}`;

interface Received {
  at: number;
  request: CapturedRequest;
}

/** A tenant's endpoint: answers as the test says, and keeps what arrived and when. */
async function tenantEndpoint(answer: (request: CapturedRequest, seen: number) => Promise<CannedResponse>) {
  const received: Received[] = [];
  const seenById = new Map<string, number>();
  const server = await new FakeHttpServer(async (request) => {
    const id = String(request.headers['webhook-id']);
    const seen = (seenById.get(id) ?? 0) + 1;
    seenById.set(id, seen);
    const canned = await answer(request, seen);
    if (canned.status < 300) received.push({ at: Date.now(), request });
    return canned;
  }).start();
  return { server, received };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Status callbacks end to end: gateway and dispatcher on the real broker and database, three tenant
 * endpoints (prompt, slow, failing), codes sent and verified through CAMARA, receipts posted.
 */
describe('status callbacks', () => {
  let stack: Stack;
  let sdk: Client;
  const endpoints: Record<string, { secret: string; received: Received[]; server: FakeHttpServer }> = {};

  beforeAll(async () => {
    stack = await startStack('callbacks', {
      gatewayEnv: {
        API_KEYS: `${API_KEY}:e2e-client:one-time-password-sms:send-validate+otpflow:templates`,
        WEBHOOK_ALLOW_HTTP: 'true',
        CALLBACK_ALLOW_PRIVATE_ADDRESSES: 'true',
      },
      dispatcherEnv: {
        // The tenants' endpoints below listen on 127.0.0.1.
        CALLBACK_ALLOW_PRIVATE_ADDRESSES: 'true',
        CALLBACK_TIMEOUT_MS: '400',
        CALLBACK_MAX_ATTEMPTS: '10',
        CALLBACK_ENDPOINT_CONCURRENCY: '2',
      },
    });
    sdk = new Client({ bearerToken: API_KEY, baseURL: stack.gateway.url });
    const everything: WebhookEventType[] = [
      'verification.sent',
      'verification.delivered',
      'verification.approved',
    ];
    const setups = {
      // Answers at once.
      prompt: tenantEndpoint(() => Promise.resolve({ status: 204 })),
      // Takes longer than the timeout on the first try of each callback, then 300 ms.
      slow: tenantEndpoint(async (_request, seen) => {
        await sleep(seen === 1 ? 800 : 300);
        return { status: 200 };
      }),
      // Fails twice for each callback, then takes it.
      failing: tenantEndpoint((_request, seen) => Promise.resolve({ status: seen <= 2 ? 503 : 200 })),
    };
    for (const [name, setup] of Object.entries(setups)) {
      const { server, received } = await setup;
      const created = await sdk.webhooks.create({ url: `${server.url}/hooks/${name}`, events: everything });
      expect(created.secret).toMatch(/^whsec_/);
      endpoints[name] = { secret: created.secret, received, server };
    }
  });
  afterAll(async () => {
    await stack.stop();
    await Promise.all(Object.values(endpoints).map((endpoint) => endpoint.server.close()));
  });

  it('manages endpoints per tenant: the secret is shown once, listed without it', async () => {
    const { webhooks } = await sdk.webhooks.list();
    expect(webhooks).toHaveLength(3);
    for (const webhook of webhooks) expect(webhook).not.toHaveProperty('secret');
    const [first] = webhooks;
    const changed = await sdk.webhooks.update(first?.id ?? '', { description: 'ops' });
    expect(changed.description).toBe('ops');
    const stored = await stack.gateway.mongo
      .getClient()
      .db(stack.gateway.mongo.name)
      .collection('webhooks')
      .findOne({});
    expect(JSON.stringify(stored)).not.toContain('whsec_');
  });

  it('delivers every callback to every endpoint, signed, slow and failing ones too; sends unaffected', async () => {
    const count = 8;
    const sendStartedAt = Date.now();
    const sends = await Promise.all(
      Array.from({ length: count }, async () => {
        const startedAt = performance.now();
        const authenticationId = await stack.sendCode(phone());
        return { authenticationId, sendMs: performance.now() - startedAt };
      }),
    );
    // Every SMS reaches the provider while the slow and failing endpoints are still being retried.
    for (const { authenticationId } of sends) {
      const code = await stack.codeFor(authenticationId);
      expect(await stack.validateCode(authenticationId, code)).toBe(204);
    }
    const smsDoneMs = Date.now() - sendStartedAt;

    // A delivery receipt per code, posted as the in-house gateway would; its callback's delay is timed.
    const receiptsPostedAt = new Map<string, number>();
    for (const { authenticationId } of sends) {
      const delivery = await waitFor(async () => {
        const found = await stack.delivery(authenticationId);
        return found?.providerMessageId ? found : undefined;
      });
      const body = JSON.stringify({ id: delivery.providerMessageId, status: 'delivered' });
      receiptsPostedAt.set(authenticationId, Date.now());
      const answer = await fetch(`${stack.dispatcher?.url ?? ''}/v1/receipts/webhook`, {
        method: 'POST',
        headers: receiptHeaders(body),
        body,
      });
      expect(answer.status).toBe(204);
    }

    const expected = count * 3;
    const figures: Record<string, string> = {};
    for (const [name, endpoint] of Object.entries(endpoints)) {
      await waitFor(
        () =>
          new Set(endpoint.received.map((r) => r.request.headers['webhook-id'])).size >= expected ||
          undefined,
        { timeoutMs: 25_000, what: `${expected} callbacks at the ${name} endpoint` },
      );
      const events = endpoint.received.map(({ at, request }) => ({
        at,
        ...verifyWebhook(request.body, request.headers as Record<string, string>, endpoint.secret),
      }));
      const unique = new Map(events.map((event) => [event.id, event]));
      expect(unique.size).toBe(expected);
      for (const { authenticationId } of sends) {
        const types = [...unique.values()]
          .filter((event) => event.event.data.verificationId === authenticationId)
          .map((event) => event.event.type)
          .sort();
        expect(types).toEqual(['verification.approved', 'verification.delivered', 'verification.sent']);
      }
      const fromReceipt = [...unique.values()]
        .filter((event) => event.event.type === 'verification.delivered')
        .map((event) => event.at - (receiptsPostedAt.get(event.event.data.verificationId) ?? Number.NaN));
      figures[name] =
        `receipt->callback ms p50=${Math.round(percentile(fromReceipt, 50))} ` +
        `p95=${Math.round(percentile(fromReceipt, 95))} max=${Math.round(Math.max(...fromReceipt))}`;
    }
    const sendMs = sends.map((send) => send.sendMs);
    printFigures('callbacks', {
      codes: count,
      endpoints: 'prompt, slow (800 ms then 300 ms, timeout 400 ms), failing (503 twice)',
      sendCodeMs: { p50: Math.round(percentile(sendMs, 50)), max: Math.round(Math.max(...sendMs)) },
      allSmsAtProviderAndVerifiedMs: smsDoneMs,
      ...figures,
    });
  });
});
