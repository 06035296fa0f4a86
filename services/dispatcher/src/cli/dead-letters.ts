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
import type { ChannelModel, ConfirmChannel, GetMessage } from 'amqplib';
import { JOB_HEADERS } from '../consume/job-headers.js';
import type { SessionLookup } from '../delivery/session-lookup.js';
import { describeDeadLetter, stepOfLetter, type DeadLetter } from './dead-letter.js';
import { DeadLetters, type DeadLetterKind } from './dead-letter-queue.js';

/** Why a send job's dead letter was dropped instead of replayed. */
export type SendDropped = 'dropped_expired' | 'dropped_ended' | 'dropped_malformed';

/** What a replay needs beyond the broker: the job keys, and the sessions' state. */
export interface ReplayDependencies {
  keys: readonly JobKey[];
  sessions: SessionLookup;
}

/**
 * The send path's dead letters (`otp.send.dead`). A replay sends them back to the work queue as a new
 * run (a fresh attempt budget, a new idempotency key, signed like every run). A letter is dropped
 * instead when replaying it could not deliver a usable code: its code expired, its session ended
 * (verified, canceled, superseded, out of attempts, or a newer code was sent), or it does not open
 * with the job keys (malformed or tampered).
 */
export class DeadLetterQueue extends DeadLetters<DeadLetter, SendDropped> {
  constructor(connection: ChannelModel, prefix: string, replayDependencies?: ReplayDependencies) {
    super(connection, sendDeadLetterKind(prefix, replayDependencies));
  }
}

function sendDeadLetterKind(
  prefix: string,
  dependencies: ReplayDependencies | undefined,
): DeadLetterKind<DeadLetter, SendDropped> {
  const names = topologyNames(prefix);
  return {
    queue: names.deadQueue,
    describe: (message) => describeDeadLetter(message),
    replay: async (channel, message, letter) => {
      if (!dependencies) throw new Error('a replay needs the job keys and the session lookup');
      const verdict = await verdictOf(message, letter, dependencies);
      if (verdict !== 'replay') return verdict;
      await republish(channel, message, letter, { keys: dependencies.keys, names });
      return 'replayed';
    },
  };
}

async function verdictOf(
  message: GetMessage,
  letter: DeadLetter,
  { keys, sessions }: ReplayDependencies,
): Promise<'replay' | SendDropped> {
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

async function republish(
  channel: ConfirmChannel,
  message: GetMessage,
  letter: DeadLetter,
  { keys, names }: { keys: readonly JobKey[]; names: ReturnType<typeof topologyNames> },
): Promise<void> {
  const {
    [JOB_HEADERS.reason]: _reason,
    [JOB_HEADERS.lastError]: _error,
    [JOB_HEADERS.step]: _step,
    ...headers
  } = message.properties.headers ?? {};
  channel.publish(names.jobsExchange, names.sendRoutingKey, message.content, {
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
