import { FakeHttpServer } from '../../services/dispatcher/test/fakes/fake-http-server.js';
import type { Stack } from '../support/stack.js';

/** A key of the stack's tenant that may manage its callback endpoints (scope otpflow:templates). */
export const HOOKS_KEY = 'observability-hooks-key-000000001';

/**
 * A tenant's status-callback endpoint that refuses its first callback for now (503: retried), its
 * second for good (410: dead-lettered) and takes the rest, so the dispatcher's callback metrics have a
 * delivered, a retried and a dead-lettered callback, as the alert and the dashboard's callbacks row read
 * them. Gateway and dispatcher must run with `WEBHOOK_ALLOW_HTTP` and `CALLBACK_ALLOW_PRIVATE_ADDRESSES`
 * (a plain http endpoint on 127.0.0.1).
 */
export async function registerFlakyEndpoint(stack: Stack): Promise<FakeHttpServer> {
  let seen = 0;
  const server = await new FakeHttpServer(() => {
    seen += 1;
    return { status: seen === 1 ? 503 : seen === 2 ? 410 : 204 };
  }).start();
  const response = await fetch(`${stack.gateway.url}/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HOOKS_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${server.url}/hooks`, events: ['verification.sent'] }),
  });
  if (response.status !== 201)
    throw new Error(`webhook registration: ${response.status} ${await response.text()}`);
  return server;
}
