import { waitFor } from '@otpflow/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildService } from '../support/child-service.js';
import { acceptAll, startStack, type Stack } from '../support/stack.js';

const CODES = 40;

/** SIGKILL in the middle of a batch: nothing is lost, and a repeated message carries the same key. */
describe('a dispatcher killed mid-batch', () => {
  let stack: Stack;
  let first: ChildService;
  let second: ChildService | undefined;
  beforeAll(async () => {
    stack = await startStack('crash', { startDispatcher: false });
    stack.webhook.respondWith(async () => {
      await sleep(100);
      return acceptAll();
    });
  });
  afterAll(async () => {
    await first.stop('SIGKILL');
    await second?.stop();
    await stack.stop();
  });

  it('delivers every code after a restart', async () => {
    const env = { ...stack.dispatcherEnv, PREFETCH: '8', SEND_LEASE_MS: '1500', LOG_LEVEL: 'warn' };
    first = new ChildService('dispatcher', env).start();
    const sessions: string[] = [];
    for (let index = 0; index < CODES; index += 1) {
      sessions.push(await stack.sendCode(`+3462${String(index).padStart(7, '0')}`));
    }
    await waitFor(() => stack.webhook.requests.length >= 10, {
      what: 'the first deliveries',
      timeoutMs: 20_000,
    });
    expect(await first.stop('SIGKILL')).toBe(null);
    const deliveredBeforeKill = new Set(stack.accepted().map((message) => message.authenticationId)).size;
    expect(deliveredBeforeKill).toBeLessThan(CODES);

    second = new ChildService('dispatcher', env).start();
    await waitFor(
      () => sessions.every((id) => stack.accepted().some((message) => message.authenticationId === id)),
      { what: 'every code to be delivered', timeoutMs: 60_000 },
    );

    const bySession = new Map<string, Set<string>>();
    for (const message of stack.accepted()) {
      bySession.set(
        message.authenticationId,
        (bySession.get(message.authenticationId) ?? new Set()).add(message.idempotencyKey),
      );
    }
    // A code the provider took just before the kill may be sent again, but always under the same
    // idempotency key, so the receiving gateway can drop the copy.
    for (const id of sessions) expect(bySession.get(id)?.size, id).toBe(1);
    const repeats = stack.accepted().length - CODES;
    expect(repeats).toBeLessThanOrEqual(8);
  });
});
