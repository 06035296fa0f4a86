import { readAttempt, parseSendJob, type JobKey } from '@otpflow/contracts';
import type { GetMessage } from 'amqplib';
import { JOB_HEADERS } from '../consume/job-headers.js';

/** What an operator sees of a dead letter (`dlq list`, `dlq show`): its headers and plaintext envelope. */
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

export const text = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

/**
 * Why the broker itself dead-lettered a message (`delivery_limit`: the work queue gave up on a job
 * redelivered too often): the latest entry of `x-death`, which RabbitMQ keeps newest first.
 */
export function brokerReason(headers: Record<string, unknown>): string {
  const deaths = headers['x-death'];
  if (!Array.isArray(deaths)) return '';
  const latest: unknown = deaths[0];
  return typeof latest === 'object' && latest !== null ? text((latest as { reason?: unknown }).reason) : '';
}

/**
 * The workflow step a dead letter was at, when its signed headers say so: the replay sends that
 * step's channel again. Unsigned or forged headers replay from the first step.
 */
export function stepOfLetter(
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
