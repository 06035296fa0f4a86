import type { z } from 'zod';
import { EVENT_SCHEMA, type OtpEvent } from './events.js';
import { parseMessageBody } from './message-body.js';
import { SEND_JOB_SCHEMA, sendJobSchema, type SendJob } from './send-job.js';

/**
 * The routing key that gives a send job a copy on the events exchange: the gateway publishes each job
 * with it as a BCC routing key, and the jobs exchange is bound to the events exchange on it
 * (topology.ts). One publish, one confirm: the code's `code.requested` event exists exactly when its
 * job is queued, never one without the other, and the gateway makes no second publish for it.
 */
export const REQUESTED_EVENT_ROUTING_KEY = 'code.requested';

/** What a consumer of an events queue receives: a message body and its AMQP `type`. */
export interface EventMessage {
  content: Buffer;
  properties: { type?: unknown };
}

/**
 * The event an events-queue message carries, read through the consumer's event schema, or undefined
 * when it is not one. A send job's copy (its AMQP type is the job schema) is its code's
 * `code.requested`: its id is the job's (unique per send, so consumers deduplicate on it as on any
 * event id), it occurred when the code was asked for, and its fields are the job's readable envelope.
 * The sealed part is never opened: no consumer of events holds the job keys.
 */
export function parseEventMessage<T>(schema: z.ZodType<T>, message: EventMessage): T | undefined {
  if (message.properties.type !== SEND_JOB_SCHEMA) return parseMessageBody(schema, message.content);
  const job = parseMessageBody(sendJobSchema, message.content);
  if (!job) return undefined;
  const parsed = schema.safeParse(requestedEventOfJob(job));
  return parsed.success ? parsed.data : undefined;
}

/** A send job's `code.requested` event. */
export function requestedEventOfJob(job: SendJob): OtpEvent {
  return {
    schema: EVENT_SCHEMA,
    eventId: job.jobId,
    type: 'code.requested',
    occurredAt: job.createdAt,
    authenticationId: job.authenticationId,
    clientId: job.clientId,
    channel: job.channel,
    countryCallingCode: job.countryCallingCode,
    requestedAt: job.createdAt,
    ...(job.maskedTo ? { maskedTo: job.maskedTo } : {}),
    expiresAt: job.expiresAt,
  };
}
