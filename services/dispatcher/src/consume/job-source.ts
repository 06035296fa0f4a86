/**
 * The broker side of the dispatcher, as ports: a source that hands over job messages one by one, and
 * each message with what may be done with it. The RabbitMQ adapter is amqp-job-source.ts; the
 * in-memory one (memory-job-source.ts) runs the same handler without a broker.
 */

/** Back to the work queue after a delay, through a retry tier. */
export interface RetryMove {
  tierMs: number;
  /** At most the tier's delay (the message's own TTL inside the tier). */
  delayMs: number;
  /** The headers to put on the message: the signed attempt and the reason. */
  headers: Record<string, string | number>;
}

/** To the dead-letter queue, with why in its headers. */
export interface DeadLetterMove {
  headers: Record<string, string | number>;
}

/** One job message as received, and what can be done with it. */
export interface ReceivedJob {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, unknown>>;
  /** Done with it: its outcome is safe (recorded, or moved on with a confirm). */
  ack(): void;
  /** Gives it back to the work queue now (broker trouble): it comes round again. */
  requeue(): void;
  /** Refuses it: the work queue dead-letters it, without our reason. */
  reject(): void;
  /** Publishes it (confirmed) to a retry tier; the original still needs settling. */
  retry(move: RetryMove): Promise<void>;
  /** Publishes it (confirmed) to the dead-letter queue; the original still needs settling. */
  deadLetter(move: DeadLetterMove): Promise<void>;
}

export type JobHandler = (job: ReceivedJob) => Promise<void>;

/** The consumer loop: delivers jobs to the handler, a bounded number at once, and drains on stop. */
export interface JobSource {
  start(handler: JobHandler): Promise<void>;
  /** Stops taking jobs, then waits for those in flight to be settled. */
  stop(): Promise<void>;
  /** Puts a job on the work queue (confirmed), as the gateway does: a workflow step started at once. */
  enqueue(body: Buffer, headers: Record<string, string | number>): Promise<void>;
  /** Whether jobs can flow (readiness). */
  readonly connected: boolean;
}
