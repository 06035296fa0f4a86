import {
  callbackJobSchema,
  JobRejectedError,
  openWebhookSecret,
  parseMessageBody,
  type CallbackJob,
  type JobKey,
} from '@otpflow/contracts';
import type { Logger } from '@otpflow/telemetry';
import { decideCallback, type CallbackResult } from './callback-retry.js';
import type { CallbackMetrics } from './callback-metrics.js';

/** One callback job off the callbacks queue, and the ways to settle it (AMQP or in memory). */
export interface ReceivedCallback {
  readonly body: Buffer;
  /** This delivery's attempt, from 1 (a header the worker sets when it moves the job on). */
  readonly attempt: number;
  ack(): void;
  /** Back to the queue at once: the job could not be moved on (the broker refused the publish). */
  requeue(): void;
  /** Into a retry tier, to come back after its TTL as `attempt`. Resolves once the broker has it. */
  retry(move: { tierMs: number; delayMs: number; attempt: number }): Promise<void>;
  deadLetter(move: { reason: string; lastError: string; attempts: number }): Promise<void>;
}

export type PostCallback = (job: CallbackJob, secret: string) => Promise<CallbackResult>;

export interface CallbackWorkerOptions {
  post: PostCallback;
  keys: readonly JobKey[];
  maxAttempts: number;
  tiersMs: readonly number[];
  /** POSTs in flight to one endpoint at most; more wait in the first retry tier, attempt unspent. */
  perEndpointConcurrency: number;
  metrics: CallbackMetrics;
  logger: Logger;
  random?: () => number;
  now?: () => Date;
}

/**
 * Delivers one callback job: open it, POST it signed, then ack, retry or dead-letter it as
 * decideCallback says. A busy endpoint's extra jobs are deferred rather than waited for, so one slow
 * tenant holds at most `perEndpointConcurrency` of the worker's prefetch and the others keep flowing.
 */
export class CallbackWorker {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: CallbackWorkerOptions) {}

  readonly handle = async (received: ReceivedCallback): Promise<void> => {
    const opened = this.open(received.body);
    if ('rejected' in opened) {
      this.options.metrics.fate('rejected');
      this.options.logger.warn({ reason: opened.rejected }, 'unreadable callback job dead-lettered');
      await this.settle(received, () =>
        received.deadLetter({
          reason: opened.rejected,
          lastError: opened.rejected,
          attempts: received.attempt,
        }),
      );
      return;
    }
    const { job, secret } = opened;
    const busy = this.inFlight.get(job.endpointId) ?? 0;
    if (busy >= this.options.perEndpointConcurrency) {
      this.options.metrics.fate('deferred');
      const tierMs = this.options.tiersMs[0] ?? 1_000;
      await this.settle(received, () =>
        received.retry({ tierMs, delayMs: tierMs, attempt: received.attempt }),
      );
      return;
    }
    this.inFlight.set(job.endpointId, busy + 1);
    let result: CallbackResult;
    const startedAt = performance.now();
    try {
      result = await this.options.post(job, secret);
    } finally {
      this.release(job.endpointId);
    }
    this.options.metrics.attempt(
      job.clientId,
      job.endpointId,
      result.kind,
      (performance.now() - startedAt) / 1000,
    );
    await this.apply(received, job, result);
  };

  private async apply(received: ReceivedCallback, job: CallbackJob, result: CallbackResult): Promise<void> {
    const decision = decideCallback(result, {
      attempt: received.attempt,
      maxAttempts: this.options.maxAttempts,
      tiersMs: this.options.tiersMs,
      random: this.options.random ?? Math.random,
    });
    const log = { endpointId: job.endpointId, webhookId: job.webhookId, attempt: received.attempt };
    switch (decision.action) {
      case 'ack': {
        const now = this.options.now?.() ?? new Date();
        this.options.metrics.delivered((now.getTime() - Date.parse(job.occurredAt)) / 1000);
        this.options.metrics.fate('delivered');
        received.ack();
        return;
      }
      case 'retry':
        this.options.metrics.fate('retried');
        this.options.logger.info(
          { ...log, error: result.kind === 'delivered' ? undefined : result.error },
          'callback retried',
        );
        await this.settle(received, () =>
          received.retry({
            tierMs: decision.tierMs,
            delayMs: decision.delayMs,
            attempt: received.attempt + 1,
          }),
        );
        return;
      case 'dead-letter': {
        const lastError = result.kind === 'delivered' ? '' : result.error;
        this.options.metrics.deadLettered(job.clientId, job.endpointId, decision.reason);
        // The error names a status, or a refused host and its address: never the URL's path or query.
        this.options.logger.warn(
          { ...log, reason: decision.reason, error: lastError },
          'callback dead-lettered',
        );
        await this.settle(received, () =>
          received.deadLetter({ reason: decision.reason, lastError, attempts: received.attempt }),
        );
        return;
      }
    }
  }

  /** Acks once the job's next home has it; if the broker refused it, the job goes back to the queue. */
  private async settle(received: ReceivedCallback, move: () => Promise<void>): Promise<void> {
    try {
      await move();
      received.ack();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not move a callback job on; requeued');
      received.requeue();
    }
  }

  private release(endpointId: string): void {
    const left = (this.inFlight.get(endpointId) ?? 1) - 1;
    if (left <= 0) this.inFlight.delete(endpointId);
    else this.inFlight.set(endpointId, left);
  }

  private open(body: Buffer): { job: CallbackJob; secret: string } | { rejected: string } {
    const job = parseMessageBody(callbackJobSchema, body);
    if (!job) return { rejected: 'malformed' };
    try {
      const secret = openWebhookSecret(job.sealedSecret, this.options.keys, job);
      return { job, secret };
    } catch (error) {
      return { rejected: error instanceof JobRejectedError ? error.rejection : 'malformed' };
    }
  }
}
