import { randomUUID } from 'node:crypto';
import { topologyNames } from '@otpflow/amqp';
import {
  attemptHeaders,
  readAttempt,
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

export interface DeadLetter {
  jobId: string;
  authenticationId: string;
  clientId: string;
  channel: string;
  countryCallingCode: string;
  reason: string;
  lastError: string;
  attempts: number;
  provider: string;
  deadLetteredAt: string;
  expiresAt: string;
  expired: boolean;
}

export interface ReplayOutcome {
  jobId: string;
  outcome: 'replayed' | 'dropped_expired' | 'dropped_ended' | 'dropped_malformed' | 'kept';
}

/** What a replay needs beyond the broker: the job keys, and the sessions' state. */
export interface ReplayDependencies {
  keys: readonly JobKey[];
  sessions: SessionLookup;
}

const text = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

/**
 * Why the broker itself dead-lettered a message (`delivery_limit`: the work queue gave up on a job
 * redelivered too often): the latest entry of `x-death`, which RabbitMQ keeps newest first.
 */
function brokerReason(headers: Record<string, unknown>): string {
  const deaths = headers['x-death'];
  if (!Array.isArray(deaths)) return '';
  const latest: unknown = deaths[0];
  return typeof latest === 'object' && latest !== null ? text((latest as { reason?: unknown }).reason) : '';
}

/**
 * The workflow step a dead letter was at, when its signed headers say so: the replay sends that
 * step's channel again. Unsigned or forged headers replay from the first step.
 */
function stepOfLetter(
  jobId: string,
  headers: Record<string, unknown>,
  keys: readonly JobKey[],
): { step?: number } {
  try {
    const { step } = readAttempt(jobId, headers, keys);
    return step ? { step } : {};
  } catch {
    return {};
  }
}

/** Reads what an operator needs from a dead letter: its headers and the job's plaintext envelope. */
export function describeDeadLetter(message: GetMessage, now = new Date()): DeadLetter {
  const headers = message.properties.headers ?? {};
  let envelope: Partial<ReturnType<typeof parseSendJob>> = {};
  try {
    envelope = parseSendJob(message.content);
  } catch {
    // A malformed job: only its headers tell anything.
  }
  const expiresAt = envelope.expiresAt ?? text(headers[JOB_HEADERS.expiresAt]);
  return {
    jobId: envelope.jobId ?? text(headers[JOB_HEADERS.jobId] ?? message.properties.messageId),
    authenticationId: envelope.authenticationId ?? '',
    clientId: envelope.clientId ?? '',
    channel: envelope.channel ?? '',
    countryCallingCode: envelope.countryCallingCode ?? '',
    reason: text(headers[JOB_HEADERS.reason]) || brokerReason(headers) || 'rejected',
    lastError: text(headers[JOB_HEADERS.lastError]),
    attempts: Number(headers[JOB_HEADERS.attempts] ?? 0),
    provider: text(headers[JOB_HEADERS.provider]),
    deadLetteredAt: text(headers[JOB_HEADERS.deadLetteredAt]),
    expiresAt,
    expired: !expiresAt || Date.parse(expiresAt) <= now.getTime(),
  };
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
