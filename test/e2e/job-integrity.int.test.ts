import { waitFor } from '@otpflow/testing';
import { connect, type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../services/dispatcher/src/cli/dead-letter.js';
import { DeadLetterQueue } from '../../services/dispatcher/src/cli/dead-letters.js';
import { startStack, type Stack } from '../support/stack.js';

let sequence = 0;
const phone = () => `+3464${String(Date.now() % 1_000_000).padStart(6, '0')}${String((sequence += 1) % 10)}`;

/**
 * Someone with write access to the broker (a leaked credential, a compromised neighbour on a shared
 * vhost) takes send jobs off the queue and puts back altered copies. Every field the dispatcher acts on
 * is bound to the sealed payload and every retry header is signed, so an altered job is never sent as
 * altered: it goes to the dead-letter queue with the reason.
 */
describe('a send job altered on the broker', () => {
  let stack: Stack;
  let connection: ChannelModel;
  let channel: ConfirmChannel;
  const ids: Record<'channel' | 'test' | 'sender' | 'run', string> = {
    channel: '',
    test: '',
    sender: '',
    run: '',
  };

  /** Sends a code and takes its job off the work queue before any dispatcher sees it. */
  async function takeJob(): Promise<{ authenticationId: string; message: GetMessage }> {
    const authenticationId = await stack.sendCode(phone());
    const message = await waitFor(
      async () => (await channel.get(stack.gateway.amqp.names.sendQueue, { noAck: false })) || undefined,
      { what: 'the send job in the queue' },
    );
    channel.ack(message);
    expect(message.content.toString()).toContain(authenticationId);
    return { authenticationId, message };
  }

  async function putBack(
    message: GetMessage,
    change: (job: Record<string, unknown>) => void = () => undefined,
    headers: Record<string, unknown> = {},
  ): Promise<void> {
    const job = JSON.parse(message.content.toString()) as Record<string, unknown>;
    change(job);
    const { names } = stack.gateway.amqp;
    channel.publish(names.jobsExchange, names.sendRoutingKey, Buffer.from(JSON.stringify(job)), {
      persistent: true,
      messageId: String(message.properties.messageId),
      type: message.properties.type as string,
      headers: { ...message.properties.headers, ...headers },
    });
    await channel.waitForConfirms();
  }

  beforeAll(async () => {
    stack = await startStack('integrity', { startDispatcher: false });
    connection = await connect(stack.context.rabbitUrl);
    channel = await connection.createConfirmChannel();

    // Every job is taken off the queue before any altered copy goes back, so each take gets its own.
    const [sms, test, sender, run] = [await takeJob(), await takeJob(), await takeJob(), await takeJob()];
    Object.assign(ids, {
      channel: sms.authenticationId,
      test: test.authenticationId,
      sender: sender.authenticationId,
      run: run.authenticationId,
    });
    await putBack(sms.message, (job) => (job.channel = 'voice'));
    await putBack(test.message, (job) => (job.test = true));
    await putBack(sender.message, (job) => {
      job.options = { ...(job.options as object), senderId: 'EvilCorp' };
    });
    // The genuine job, and a copy claiming to be a new run: a new run gets a new idempotency key and
    // a fresh attempt budget, so a forged one would send the code again.
    await putBack(run.message);
    await putBack(run.message, undefined, { 'x-otp-run': 'forged-run', 'x-otp-attempt': 1 });

    await stack.startDispatcher();
  }, 60_000);

  afterAll(async () => {
    await connection.close();
    await stack.stop();
  });

  const requestsFor = (authenticationId: string) =>
    stack.webhook.requests.filter((request) => request.body.includes(authenticationId));

  async function deadLetterOf(authenticationId: string): Promise<DeadLetter> {
    const dlq = new DeadLetterQueue(connection, stack.context.topology.prefix);
    return waitFor(
      async () => (await dlq.list(100)).find((letter) => letter.authenticationId === authenticationId),
      { what: `the dead letter of ${authenticationId}` },
    );
  }

  it('dead-letters a job whose channel was changed, and calls nobody', async () => {
    expect(await deadLetterOf(ids.channel)).toMatchObject({ reason: 'tampered', attempts: 0 });
    expect(requestsFor(ids.channel)).toEqual([]);
  });

  it('dead-letters a job whose test flag was set, instead of recording it as a test number', async () => {
    expect(await deadLetterOf(ids.test)).toMatchObject({ reason: 'tampered' });
    expect((await stack.delivery(ids.test))?.status).not.toBe('not_sent');
  });

  it('dead-letters a job given another sender id', async () => {
    expect(await deadLetterOf(ids.sender)).toMatchObject({ reason: 'tampered' });
    expect(requestsFor(ids.sender)).toEqual([]);
  });

  it('sends a job once when a copy arrives with forged retry headers', async () => {
    expect(await deadLetterOf(ids.run)).toMatchObject({ reason: 'tampered' });
    await waitFor(() => requestsFor(ids.run).length >= 1, { what: 'the genuine job to be sent' });
    expect(requestsFor(ids.run)).toHaveLength(1);
  });
});
