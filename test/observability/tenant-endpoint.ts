import { FakeHttpServer } from '../../services/dispatcher/test/fakes/fake-http-server.js';
import type { Stack } from '../support/stack.js';

/** A key of the stack's tenant that may manage its callback endpoints (scope otpflow:templates). */
export const HOOKS_KEY = 'observability-hooks-key-000000001';

/**
 * A tenant's status-callback endpoint that refuses its first callback (503) and takes the rest, so
 * the dispatcher's callback metrics have a delivered and a failed attempt, as the alert on them reads.
 * The gateway must run with `WEBHOOK_ALLOW_HTTP` (a plain http endpoint on 127.0.0.1).
 */
export async function registerFlakyEndpoint(stack: Stack): Promise<FakeHttpServer> {
  let seen = 0;
  const server = await new FakeHttpServer(() => {
    seen += 1;
    return { status: seen === 1 ? 503 : 204 };
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
