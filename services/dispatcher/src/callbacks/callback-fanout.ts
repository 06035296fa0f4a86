import {
  otpEventSchema,
  parseEventMessage,
  type CallbackEventType,
  type CallbackJob,
} from '@otpflow/contracts';
import type { Logger } from '@otpflow/telemetry';
import { z } from 'zod';
import {
  callbackJobsFor,
  callbackTypeOf,
  type MappableEvent,
  type SubscribedEndpoint,
} from './callback-mapping.js';
import type { CallbackMetrics } from './callback-metrics.js';

/** The endpoints a tenant subscribed to a callback type (MongoDB's `webhooks`, or in memory). */
export interface EndpointDirectory {
  subscribers(clientId: string, type: CallbackEventType): Promise<SubscribedEndpoint[]>;
}

/** Where callback jobs go: a confirmed publish to the callbacks queue. */
export type EnqueueCallback = (job: CallbackJob) => Promise<void>;

export type FanoutOutcome = 'queued' | 'ignored' | 'invalid' | 'retry';

/**
 * The lifecycle events and the fraud guard's `fraud.blocked` share the fields a callback tells; the
 * latter may not be in the lifecycle schema's closed set of types, so its type is read apart.
 */
const fanoutEventSchema = otpEventSchema.extend({ type: z.string().min(1).max(64) });

/**
 * Turns one event into one callback job per subscribed endpoint. The event is acked only once every
 * job is in the callbacks queue (`retry` otherwise: the caller gives it back and it comes again), so
 * no callback is lost between the two queues; a repeat of the event makes repeats of its jobs, under
 * the same `webhook-id`, which the receiver drops. Nothing here calls a tenant: that is the worker's.
 */
export class CallbackFanout {
  constructor(
    private readonly options: {
      endpoints: EndpointDirectory;
      enqueue: EnqueueCallback;
      metrics: CallbackMetrics;
      logger: Logger;
    },
  ) {}

  /** `type` is the message's AMQP type: a send job's copy is its code's `code.requested` (event-message.ts). */
  readonly handle = async (body: Buffer, amqpType?: unknown): Promise<FanoutOutcome> => {
    const event: MappableEvent | undefined = parseEventMessage(fanoutEventSchema, {
      content: body,
      properties: { type: amqpType },
    });
    if (!event) {
      this.options.logger.warn('invalid event ignored by the callbacks fan-out');
      return 'invalid';
    }
    const type = callbackTypeOf(event);
    if (!type) return 'ignored';
    try {
      const endpoints = await this.options.endpoints.subscribers(event.clientId, type);
      const jobs = callbackJobsFor(event, type, endpoints);
      await Promise.all(jobs.map((job) => this.options.enqueue(job)));
      if (jobs.length > 0) this.options.metrics.queued(type, jobs.length);
      return jobs.length > 0 ? 'queued' : 'ignored';
    } catch (error) {
      this.options.logger.warn(
        { err: error, eventId: event.eventId },
        'callbacks not queued; the event comes again',
      );
      return 'retry';
    }
  };
}
