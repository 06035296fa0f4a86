import { randomBytes, randomUUID } from 'node:crypto';
import {
  encodeSendJob,
  jobKeysSchema,
  otpEventSchema,
  parseEventMessage,
  REQUESTED_EVENT_ROUTING_KEY,
  SEND_JOB_SCHEMA,
} from '@otpflow/contracts';
import { createLogger } from '@otpflow/telemetry';
import { createTestContext, deleteRunTopology, waitFor, type TestContext } from '@otpflow/testing';
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpClient } from '../src/amqp-client.js';
import { declareEventsQueue } from '../src/topology.js';

const RETRY_DELAY_MS = 200;
const keys = jobKeysSchema.parse(`k:${randomBytes(32).toString('base64')}`);

/**
 * A send job as the gateway publishes it (the requested event's key as a BCC) over the real
 * topology: the job reaches the send queue, and its copy reaches an events queue bound to `code.#`,
 * where it reads as the code's `code.requested`. A job the dispatcher publishes again (a retry through
 * the retry ladder, a replay onto the jobs exchange) announces nothing twice: the broker strips a BCC
 * before delivery. Nor does a job the broker dead-letters.
 */
describe("a send job's requested event", () => {
  let context: TestContext;
  let client: AmqpClient;
  let channel: Channel;
  let eventsQueue: string;

  beforeAll(async () => {
    context = createTestContext('requested', { retryDelaysMs: [RETRY_DELAY_MS] });
    client = await AmqpClient.start({
      broker: { urls: [context.rabbitUrl], tls: {}, connectTimeoutMs: 5_000 },
      name: 'test-requested-event',
      topology: context.topology,
      logger: createLogger({ service: 'test', level: 'silent' }),
      publishTimeoutMs: 5_000,
    });
    await client.waitForConnect();
    let connected: ChannelModel | undefined;
    await client.onConnect((model) => {
      connected = model;
      return Promise.resolve();
    });
    if (!connected) throw new Error('not connected');
    const model = connected;
    ({ queue: eventsQueue } = await declareEventsQueue(model, context.topology, 'requested-test', [
      'code.#',
    ]));
    channel = await model.createChannel();
  });

  afterAll(async () => {
    await channel.close();
    await client.close();
    await deleteRunTopology(context.rabbitUrl, context.topology, [eventsQueue]);
  });

  const take = (queue: string): Promise<GetMessage | false> => channel.get(queue, { noAck: true });

  it('reaches the send queue and, once, the events queue as code.requested', async () => {
    const { names } = client;
    const jobId = randomUUID();
    const fields = {
      jobId,
      authenticationId: randomUUID(),
      clientId: 'acme',
      channel: 'sms' as const,
      countryCallingCode: '34',
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 300_000).toISOString(),
      options: {},
      allowedChannels: ['sms' as const],
      test: false,
      maskedTo: '+346*******33',
    };
    const body = encodeSendJob(
      fields,
      { to: '+34666111333', text: '1234', code: '1234', variables: {} },
      keys,
    );
    await client.publish(names.jobsExchange, names.sendRoutingKey, body, {
      messageId: jobId,
      type: SEND_JOB_SCHEMA,
      headers: { BCC: [REQUESTED_EVENT_ROUTING_KEY] },
    });

    const job = await waitFor(() => take(names.sendQueue), { timeoutMs: 5_000 });
    expect(job.properties.headers).not.toHaveProperty('BCC');
    const copy = await waitFor(() => take(eventsQueue), { timeoutMs: 5_000 });
    expect(parseEventMessage(otpEventSchema, copy)).toMatchObject({
      eventId: jobId,
      type: 'code.requested',
      maskedTo: '+346*******33',
      requestedAt: fields.createdAt,
    });

    // The dispatcher's retry (the retry ladder dead-letters back onto the jobs exchange) and a replay.
    await client.publish(names.retryExchange, names.retryRoutingKey(RETRY_DELAY_MS), job.content, {
      messageId: jobId,
      type: SEND_JOB_SCHEMA,
      headers: job.properties.headers ?? {},
    });
    const retried = await waitFor(() => take(names.sendQueue), { timeoutMs: 5_000 });
    expect(retried.properties.messageId).toBe(jobId);
    await client.publish(names.jobsExchange, names.sendRoutingKey, job.content, {
      messageId: jobId,
      type: SEND_JOB_SCHEMA,
      headers: retried.properties.headers ?? {},
    });
    // The last copy is rejected, as the dispatcher rejects a job it cannot open: the broker dead-letters
    // it with the keys it was published with, BCC included, to a fanout bound to the dead queue only.
    const replayed = await waitFor(() => channel.get(names.sendQueue, { noAck: false }), {
      timeoutMs: 5_000,
    });
    channel.nack(replayed, false, false);
    const dead = await waitFor(() => take(names.deadQueue), { timeoutMs: 5_000 });
    expect(dead.properties.messageId).toBe(jobId);
    expect(await take(eventsQueue)).toBe(false);
  });
});
