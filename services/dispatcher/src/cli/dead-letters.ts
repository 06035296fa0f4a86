import { randomUUID } from 'node:crypto';
import { topologyNames } from '@otpflow/amqp';
import {
  attemptHeaders,
  JobRejectedError,
  openSendJob,
  parseSendJob,
  type JobKey,
  type SealedSendPayload,
  type SendJob,
} from '@otpflow/contracts';
import type { Channel, ChannelModel, ConfirmChannel, GetMessage } from 'amqplib';
import { JOB_HEADERS } from '../consume/job-headers.js';
import type { SessionLookup } from '../delivery/session-lookup.js';
import { describeDeadLetter, stepOfLetter, type DeadLetter } from './dead-letter.js';

export interface ReplayOutcome {
  jobId: string;
  outcome: 'replayed' | 'dropped_expired' | 'dropped_ended' | 'dropped_malformed' | 'kept';
}

/** What a replay needs beyond the broker: the job keys, and the sessions' state. */
export interface ReplayDependencies {
  keys: readonly JobKey[];
  sessions: SessionLookup;
}

/**
 * Operations on the dead-letter queue. Messages are taken with basic.get and left unacknowledged
 * while looked at; closing the channel returns whatever was not acted on to the queue, in order.
 */
export class DeadLetterQueue {
  private readonly names;

  constructor(
    private readonly connection: ChannelModel,
    prefix: string,
    private readonly replayDependencies?: ReplayDependencies,
  ) {
    this.names = topologyNames(prefix);
  }

  private async take(channel: Channel, limit: number): Promise<GetMessage[]> {
    const messages: GetMessage[] = [];
    while (messages.length < limit) {
      const message = await channel.get(this.names.deadQueue, { noAck: false });
      if (!message) break;
      messages.push(message);
    }
    return messages;
  }

  async list(limit: number): Promise<DeadLetter[]> {
    const channel = await this.connection.createChannel();
    try {
      return (await this.take(channel, limit)).map((message) => describeDeadLetter(message));
    } finally {
      await channel.close();
    }
  }

  /**
   * Sends dead letters back to the work queue as a new run (a fresh attempt budget, a new idempotency
   * key, signed like every run), all of them or those of the given job ids. A letter is dropped
   * instead when replaying it could not deliver a usable code: its code expired, its session ended
   * (verified, canceled, superseded, out of attempts, or a newer code was sent), or it does not open
   * with the job keys (malformed or tampered).
   */
  async replay(options: { jobIds?: readonly string[]; limit: number }): Promise<ReplayOutcome[]> {
    const dependencies = this.replayDependencies;
    if (!dependencies) throw new Error('a replay needs the job keys and the session lookup');
    const channel = await this.connection.createConfirmChannel();
    const outcomes: ReplayOutcome[] = [];
    try {
      for (const message of await this.take(channel, options.limit)) {
        const letter = describeDeadLetter(message);
        if (options.jobIds && !options.jobIds.includes(letter.jobId)) {
          outcomes.push({ jobId: letter.jobId, outcome: 'kept' });
          continue;
        }
        const verdict = await this.verdict(message, letter, dependencies);
        if (verdict === 'replay') await this.republish(channel, message, letter, dependencies.keys);
        outcomes.push({ jobId: letter.jobId, outcome: verdict === 'replay' ? 'replayed' : verdict });
        channel.ack(message);
      }
      return outcomes;
    } finally {
      await channel.close();
    }
  }

  private async verdict(
    message: GetMessage,
    letter: DeadLetter,
    { keys, sessions }: ReplayDependencies,
  ): Promise<'replay' | Exclude<ReplayOutcome['outcome'], 'replayed' | 'kept'>> {
    if (!letter.authenticationId) return 'dropped_malformed';
    if (letter.expired) return 'dropped_expired';
    let job: SendJob;
    let payload: SealedSendPayload;
    try {
      job = parseSendJob(message.content);
      payload = openSendJob(job, keys);
    } catch (error) {
      if (error instanceof JobRejectedError) return 'dropped_malformed';
      throw error;
    }
    return (await sessions.stateOf(job, payload, new Date())) === 'live' ? 'replay' : 'dropped_ended';
  }

  private async republish(
    channel: ConfirmChannel,
    message: GetMessage,
    letter: DeadLetter,
    keys: readonly JobKey[],
  ): Promise<void> {
    const {
      [JOB_HEADERS.reason]: _reason,
      [JOB_HEADERS.lastError]: _error,
      [JOB_HEADERS.step]: _step,
      ...headers
    } = message.properties.headers ?? {};
    channel.publish(this.names.jobsExchange, this.names.sendRoutingKey, message.content, {
      persistent: true,
      contentType: 'application/json',
      messageId: letter.jobId,
      type: message.properties.type as string | undefined,
      headers: {
        ...headers,
        ...attemptHeaders(
          letter.jobId,
          { attempt: 1, run: `replay-${randomUUID()}`, ...stepOfLetter(letter.jobId, headers, keys) },
          keys,
        ),
      },
    });
    await channel.waitForConfirms();
  }

  async purge(): Promise<number> {
    const channel = await this.connection.createChannel();
    try {
      return (await channel.purgeQueue(this.names.deadQueue)).messageCount;
    } finally {
      await channel.close();
    }
  }
}
