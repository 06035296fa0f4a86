import { randomUUID } from 'node:crypto';
import { encodeSendJob, SEND_JOB_SCHEMA } from '@otpflow/contracts';
import { waitFor } from '@otpflow/testing';
import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeadLetterQueue } from '../../services/dispatcher/src/cli/dead-letters.js';
import { MongoSessionLookup } from '../../services/dispatcher/src/delivery/session-lookup.js';
import { acceptAll, startStack, type Stack } from '../support/stack.js';

let phoneSequence = 0;
const phone = () =>
  `+3461${String(Date.now() % 1_000_000).padStart(6, '0')}${String((phoneSequence += 1) % 10)}`;

describe('delivery through the dispatcher', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('delivery');
  });
  afterAll(async () => {
    await stack.stop();
  });
  beforeEach(() => {
    stack.webhook.respondWith(acceptAll);
  });

  it('delivers the code to the provider, and the code read from the SMS validates', async () => {
    const authenticationId = await stack.sendCode(phone(), 'Cool App: {{code}} is your code');
    const code = await stack.codeFor(authenticationId);
    const [message] = stack.accepted().filter((item) => item.authenticationId === authenticationId);
    expect(message).toMatchObject({ channel: 'sms', text: `Cool App: ${code} is your code` });
    // The delivery is recorded before the code is used: on FerretDB, whose updates are not isolated,
    // two writes racing on one session can undo each other's fields.
    const session = await waitFor(async () => {
      const found = await stack.delivery(authenticationId);
      return found?.status === 'sent' ? found : undefined;
    });
    expect(await stack.validateCode(authenticationId, code)).toBe(204);
    expect(session).toMatchObject({
      status: 'sent',
      provider: 'webhook',
      attempts: 1,
      encoding: 'GSM-7',
      parts: 1,
    });
    expect(session.providerMessageId).toMatch(/^gw-/);
  });

  it('retries a provider that answers 500, then delivers once', async () => {
    let calls = 0;
    stack.webhook.respondWith(() => {
      calls += 1;
      return calls === 1 ? { status: 500, body: '' } : acceptAll();
    });
    const authenticationId = await stack.sendCode(phone());
    await stack.codeFor(authenticationId);
    const requests = stack.webhook.requests.filter((request) => request.body.includes(authenticationId));
    expect(requests.map((request) => request.answeredWith)).toEqual([500, 200]);
    const session = await waitFor(async () => {
      const found = await stack.delivery(authenticationId);
      return found?.status === 'sent' ? found : undefined;
    });
    expect(session.attempts).toBe(2);
    expect(session.history?.map((entry) => entry.outcome)).toEqual(['retryable_error', 'accepted']);
  });

  it('dead-letters a message every provider refuses, with its reason; a replay delivers it', async () => {
    stack.webhook.respondWith(() => ({ status: 400, body: '{"error":"rejected"}' }));
    const authenticationId = await stack.sendCode(phone());
    const session = await waitFor(async () => {
      const found = await stack.delivery(authenticationId);
      return found?.status === 'dead_lettered' ? found : undefined;
    });
    expect(session.lastError).toContain('webhook answered 400');

    const connection = await connect(stack.context.rabbitUrl);
    try {
      const dlq = deadLetterQueue(connection);
      const letters = await waitFor(async () => {
        const listed = await dlq.list(100);
        return listed.some((letter) => letter.authenticationId === authenticationId) ? listed : undefined;
      });
      const letter = letters.find((item) => item.authenticationId === authenticationId);
      expect(letter).toMatchObject({
        reason: 'permanent_failure',
        attempts: 1,
        provider: 'webhook',
        expired: false,
        clientId: 'e2e-client',
      });
      expect(JSON.stringify(letters)).not.toMatch(/is your code/);

      stack.webhook.respondWith(acceptAll);
      const outcomes = await dlq.replay({ limit: 100, jobIds: [letter?.jobId ?? ''] });
      expect(outcomes).toContainEqual({ jobId: letter?.jobId, outcome: 'replayed' });
      const code = await stack.codeFor(authenticationId);
      expect(await stack.validateCode(authenticationId, code)).toBe(204);
      expect((await dlq.list(100)).some((item) => item.authenticationId === authenticationId)).toBe(false);
    } finally {
      await connection.close();
    }
  });

  it('drops a dead letter on replay when its session ended since, and sends nothing', async () => {
    stack.webhook.respondWith(() => ({ status: 400, body: '{"error":"rejected"}' }));
    const number = phone();
    const first = await stack.sendCode(number);
    await waitFor(async () => (await stack.delivery(first))?.status === 'dead_lettered');
    // A new code for the same number ends the first session (it answers VERIFICATION_EXPIRED).
    stack.webhook.respondWith(acceptAll);
    const second = await stack.sendCode(number);
    await stack.codeFor(second);

    const connection = await connect(stack.context.rabbitUrl);
    try {
      const dlq = deadLetterQueue(connection);
      const letter = await waitFor(async () =>
        (await dlq.list(100)).find((item) => item.authenticationId === first),
      );
      const outcomes = await dlq.replay({ limit: 100, jobIds: [letter.jobId] });
      expect(outcomes).toContainEqual({ jobId: letter.jobId, outcome: 'dropped_ended' });
      expect((await dlq.list(100)).some((item) => item.authenticationId === first)).toBe(false);
      expect(stack.accepted().filter((item) => item.authenticationId === first)).toEqual([]);
    } finally {
      await connection.close();
    }
  });

  it('never delivers a job whose code has expired, and replay drops it', async () => {
    // A job the gateway never issued (the dispatcher reads no code state): its expiry alone decides.
    const authenticationId = randomUUID();
    const jobId = randomUUID();
    const now = Date.now();
    const connection = await connect(stack.context.rabbitUrl);
    try {
      const channel = await connection.createConfirmChannel();
      const { names } = stack.gateway.amqp;
      channel.publish(
        names.jobsExchange,
        names.sendRoutingKey,
        encodeSendJob(
          {
            jobId,
            authenticationId,
            clientId: 'e2e-client',
            channel: 'sms',
            countryCallingCode: '34',
            createdAt: new Date(now - 600_000).toISOString(),
            expiresAt: new Date(now - 1_000).toISOString(),
            options: {},
            allowedChannels: ['sms'],
            test: false,
          },
          { to: '+34612345678', text: '111222 is your code', code: '111222', variables: {} },
          stack.gatewayConfig.JOB_ENCRYPTION_KEYS,
        ),
        { persistent: true, messageId: jobId, type: SEND_JOB_SCHEMA },
      );
      await channel.waitForConfirms();
      await waitFor(
        async () => (await stack.delivery(authenticationId))?.status === 'expired_before_delivery',
      );
      expect(stack.webhook.requests.some((request) => request.body.includes(authenticationId))).toBe(false);
    } finally {
      await connection.close();
    }
  });

  it('sends a job the broker delivers twice only once', async () => {
    const authenticationId = randomUUID();
    const jobId = randomUUID();
    const now = Date.now();
    const body = encodeSendJob(
      {
        jobId,
        authenticationId,
        clientId: 'e2e-client',
        channel: 'sms',
        countryCallingCode: '34',
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 300_000).toISOString(),
        options: {},
        allowedChannels: ['sms'],
        test: false,
      },
      { to: '+34612345678', text: '333444 is your code', code: '333444', variables: {} },
      stack.gatewayConfig.JOB_ENCRYPTION_KEYS,
    );
    const connection = await connect(stack.context.rabbitUrl);
    try {
      const channel = await connection.createConfirmChannel();
      const { names } = stack.gateway.amqp;
      for (let copy = 0; copy < 2; copy += 1) {
        channel.publish(names.jobsExchange, names.sendRoutingKey, body, {
          persistent: true,
          messageId: jobId,
          type: SEND_JOB_SCHEMA,
        });
      }
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    const duplicates = async () => {
      const metrics = await (await fetch(`${stack.dispatcher?.url ?? ''}/metrics`)).text();
      return Number(
        /otpflow_dispatcher_jobs_total\{outcome="duplicate",channel="sms"[^}]*\} (\d+)/.exec(metrics)?.[1] ??
          0,
      );
    };
    await waitFor(async () => (await duplicates()) >= 1, { what: 'the second copy to be recognised' });
    expect(stack.webhook.requests.filter((request) => request.body.includes(authenticationId))).toHaveLength(
      1,
    );
  });
  /** The DLQ as the CLI sees it: it opens jobs with the shared keys and reads their sessions. */
  function deadLetterQueue(connection: ChannelModel): DeadLetterQueue {
    return new DeadLetterQueue(connection, stack.context.topology.prefix, {
      keys: stack.gatewayConfig.JOB_ENCRYPTION_KEYS,
      sessions: new MongoSessionLookup(stack.gateway.mongo.getClient().db(stack.gateway.mongo.name)),
    });
  }
});
