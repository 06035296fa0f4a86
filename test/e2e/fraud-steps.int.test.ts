import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, receiptHeaders, startStack, type Stack } from '../support/stack.js';

// Every tick a sync, as on a busy replica: a block one service decides reaches the other at once.
const FRAUD = { FRAUD_MODE: 'enforce', FRAUD_SYNC_INTERVAL_MS: '200', FRAUD_SYNC_MAX_INTERVAL_MS: '200' };

/** A service's metric, summed over the series whose labels include `labels`. */
async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) =>
        (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) &&
        Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/**
 * One guard for every send, across a gateway and a dispatcher sharing the guard's counts and rules in
 * the real store: a block the gateway decides on a sweep is applied by the dispatcher to a workflow's
 * next step to that range (an undelivered SMS that would fall back to a call), which is not sent.
 */
describe('workflow steps through the gateway’s fraud guard', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('fraudsteps', { gatewayEnv: FRAUD, dispatcherEnv: FRAUD });
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
  });

  const create = (to: string, body: Record<string, unknown> = {}) =>
    fetch(`${stack.gateway.url}/v1/verifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to, ...body }),
    });

  it('refuses the call a blocked range would get after an undelivered SMS, and says so', async () => {
    // The first send to the range, before any attack: the gateway lets it through.
    const first = await create('+34612300000', {
      workflow: [{ channel: 'sms', timeoutSeconds: 240 }, { channel: 'voice' }],
    });
    expect(first.status).toBe(201);
    const id = ((await first.json()) as { id: string }).id;
    const delivery = await waitFor(async () => {
      const record = await stack.delivery(id);
      return record?.providerMessageId ? record : undefined;
    });

    // A sweep of the same hundred numbers until the gateway's guard blocks their range.
    let refused: Response | undefined;
    for (let index = 1; index < 40 && !refused; index += 1) {
      const answer = await create(`+346123000${String(index).padStart(2, '0')}`);
      if (answer.status !== 201) refused = answer;
      await answer.arrayBuffer();
    }
    expect(refused?.status).toBe(403);
    // Counted under the destination's country calling code, as libphonenumber read it at the edge.
    expect(
      await metric(stack.gateway.url, 'otpflow_fraud_decisions_total', {
        action: 'block',
        enforced: 'true',
        country: '34',
      }),
    ).toBe(1);
    // The dispatcher reads the block at its next syncs (each sync reads the rules: one command).
    const dispatcherUrl = stack.dispatcher?.url ?? '';
    const synced = await metric(dispatcherUrl, 'otpflow_fraud_store_commands_total');
    await waitFor(
      async () => (await metric(dispatcherUrl, 'otpflow_fraud_store_commands_total')) >= synced + 2,
      {
        timeoutMs: 20_000,
        what: "the dispatcher's guard to sync",
      },
    );

    // The SMS was not delivered: the workflow's call would start at once, and is refused.
    const body = JSON.stringify({ id: delivery.providerMessageId, status: 'failed', errorCode: '30003' });
    const receipt = await fetch(`${dispatcherUrl}/v1/receipts/webhook`, {
      method: 'POST',
      headers: receiptHeaders(body),
      body,
    });
    expect(receipt.status).toBe(204);
    const settled = await waitFor(async () => {
      const record = await stack.delivery(id);
      return record?.status === 'refused' ? record : undefined;
    });
    expect(settled).toMatchObject({ channel: 'voice', lastError: 'fraud_blocked' });
    expect(
      stack
        .accepted()
        .filter((message) => message.authenticationId === id)
        .map((m) => m.channel),
    ).toEqual(['sms']);
    expect(
      await metric(dispatcherUrl, 'otpflow_fraud_decisions_total', {
        action: 'block',
        enforced: 'true',
        country: '34',
      }),
    ).toBe(1);
    expect(await metric(dispatcherUrl, 'otpflow_dispatcher_jobs_total', { outcome: 'step_refused' })).toBe(1);

    // The verification reads as failed through the gateway.
    const view = await fetch(`${stack.gateway.url}/v1/verifications/${id}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(((await view.json()) as { status: string }).status).toBe('failed');
  }, 60_000);
});
