import { setTimeout as sleep } from 'node:timers/promises';
import type { EventPublisher } from '@otpflow/amqp';
import {
  openSendJob,
  parseSendJob,
  type JobKey,
  type OtpEventInput,
  type SealedSendPayload,
  type SendJob,
} from '@otpflow/contracts';
import { SchemaError } from '@otpflow/errors';
import type { Logger } from '@otpflow/telemetry';
import type { Channel as AmqpChannel, ConsumeMessage } from 'amqplib';
import type { DeliveryStore } from '../delivery/delivery-store.js';
import { decideRetry, giveBackDelayMs } from '../delivery/retry-policy.js';
import type { DispatcherMetrics } from '../dispatcher-metrics.js';
import type { ProviderRouter } from '../routing/provider-router.js';
import { attemptDelivery, type AttemptResult, type AttemptSettings } from './delivery-attempt.js';
import { attemptOf, type JobRepublisher } from './job-republisher.js';

export interface SendJobHandlerDeps {
  keys: readonly JobKey[];
  store: DeliveryStore;
  router: ProviderRouter;
  republisher: JobRepublisher;
  events: EventPublisher;
  metrics: DispatcherMetrics;
  logger: Logger;
  settings: AttemptSettings & { maxAttempts: number; retryTiersMs: readonly number[] };
  random?: () => number;
}

/**
 * Handles one send job delivery, from message to ack:
 * malformed or undecryptable → dead letters at once; code expired → recorded, never sent; test number →
 * recorded, no provider; otherwise take the attempt's lease (a redelivery of a finished attempt is
 * dropped, one in progress elsewhere waits), try the route, and on failure retry through a delay tier or
 * dead-letter. The message is acked only after its outcome is safe: recorded, or republished with a
 * confirm. If MongoDB is unreachable the job is deferred through the first retry tier, not lost.
 */
export class SendJobHandler {
  constructor(private readonly deps: SendJobHandlerDeps) {}

  readonly handle = async (message: ConsumeMessage, channel: AmqpChannel): Promise<void> => {
    const { metrics } = this.deps;
    metrics.inFlight.inc();
    try {
      const opened = this.open(message);
      if ('invalid' in opened) {
        await this.deadLetterMalformed(message, channel, opened.invalid);
        return;
      }
      await this.process(message, channel, opened.job, opened.payload);
    } finally {
      metrics.inFlight.dec();
    }
  };

  private open(
    message: ConsumeMessage,
  ): { job: SendJob; payload: SealedSendPayload } | { invalid: SchemaError } {
    try {
      const job = parseSendJob(message.content);
      return { job, payload: openSendJob(job, this.deps.keys) };
    } catch (error) {
      if (error instanceof SchemaError) return { invalid: error };
      throw error;
    }
  }

  /** Never retried: a message that cannot be read now will not be readable later. */
  private async deadLetterMalformed(
    message: ConsumeMessage,
    channel: AmqpChannel,
    error: SchemaError,
  ): Promise<void> {
    this.deps.logger.warn(
      { err: error, messageId: message.properties.messageId },
      'malformed send job dead-lettered',
    );
    try {
      await this.deps.republisher.deadLetter(message, {
        reason: 'malformed',
        lastError: error.message,
        attempts: 0,
      });
      this.deps.metrics.jobs.inc({ outcome: 'malformed', channel: 'unknown' });
      ack(channel, message);
    } catch {
      // The work queue dead-letters to the same exchange: a reject lands it there too (without our reason).
      nack(channel, message, false);
    }
  }

  private async process(
    message: ConsumeMessage,
    channel: AmqpChannel,
    job: SendJob,
    payload: SealedSendPayload,
  ): Promise<void> {
    const { store, metrics, events } = this.deps;
    const { attempt, run } = attemptOf(message);
    const correlator = message.properties.headers?.['x-correlator'] as unknown;
    const log = this.deps.logger.child({
      authenticationId: job.authenticationId,
      jobId: job.jobId,
      attempt,
      ...(typeof correlator === 'string' ? { correlator } : {}),
    });
    if (attempt === 1 && run === 'first')
      metrics.queueLag.observe((Date.now() - Date.parse(job.createdAt)) / 1000);

    try {
      if (Date.parse(job.expiresAt) <= Date.now()) {
        await store.recordSkipped(job, 'expired_before_delivery');
        events.emit(eventOf(job, 'code.expired_before_delivery'));
        metrics.jobs.inc({ outcome: 'expired', channel: job.channel });
        log.info('code expired before delivery: not sent');
        ack(channel, message);
        return;
      }
      if (job.test) {
        await store.recordSkipped(job, 'not_sent');
        events.emit({ ...eventOf(job, 'code.sent'), provider: 'test-number', attempt });
        metrics.jobs.inc({ outcome: 'test', channel: job.channel });
        ack(channel, message);
        return;
      }
      const lease = await store.takeAttempt(job, run, attempt);
      if (lease === 'done') {
        metrics.jobs.inc({ outcome: 'duplicate', channel: job.channel });
        log.info('redelivered job already handled: not sent again');
        ack(channel, message);
        return;
      }
      if (lease === 'busy') {
        await this.defer(message, channel, attempt, run, 'in_progress_elsewhere');
        return;
      }
    } catch (error) {
      log.warn({ err: error }, 'delivery state unavailable; deferring the job');
      await this.defer(message, channel, attempt, run, 'store_unavailable');
      return;
    }

    const result = await attemptDelivery(job, payload, run, this.deps);
    if (result.accepted) await this.settleSent(message, channel, job, result, attempt, run, log);
    else await this.settleFailed(message, channel, job, result, attempt, run, log);
  }

  private async settleSent(
    message: ConsumeMessage,
    channel: AmqpChannel,
    job: SendJob,
    result: Extract<AttemptResult, { accepted: true }>,
    attempt: number,
    run: string,
    log: Logger,
  ): Promise<void> {
    const { store, events, metrics } = this.deps;
    try {
      await store.recordSent(job, {
        provider: result.provider,
        ...(result.receipt.providerMessageId ? { providerMessageId: result.receipt.providerMessageId } : {}),
        attempt,
        channel: result.message.channel,
        ...(result.message.sms ? { sms: result.message.sms } : {}),
        history: result.history,
      });
      await store.finishAttempt(job, run, attempt);
    } catch (error) {
      // The provider has the message: never send it again, even if the record is lost.
      log.error({ err: error }, 'sent, but the delivery record could not be written');
    }
    events.emit({
      ...eventOf(job, 'code.sent'),
      channel: result.message.channel,
      provider: result.provider,
      attempt,
      ...(result.message.sms ? { sms: result.message.sms } : {}),
    });
    metrics.jobs.inc({ outcome: 'sent', channel: result.message.channel });
    log.info({ provider: result.provider }, 'code sent');
    ack(channel, message);
  }

  private async settleFailed(
    message: ConsumeMessage,
    channel: AmqpChannel,
    job: SendJob,
    result: Extract<AttemptResult, { accepted: false }>,
    attempt: number,
    run: string,
    log: Logger,
  ): Promise<void> {
    const { store, events, metrics, republisher, settings } = this.deps;
    const decision = decideRetry({
      retryable: result.retryable,
      attempt,
      maxAttempts: settings.maxAttempts,
      expiresAt: new Date(job.expiresAt),
      now: new Date(),
      tiersMs: settings.retryTiersMs,
      random: this.deps.random ?? Math.random,
    });
    const failure = {
      attempt,
      lastError: result.lastError,
      history: result.history,
      ...(result.provider ? { provider: result.provider } : {}),
    };
    try {
      if (decision.action === 'retry') {
        await republisher.retry(message, {
          tierMs: decision.tierMs,
          delayMs: decision.delayMs,
          attempt: attempt + 1,
          run,
          reason: result.reason,
        });
        await store
          .recordFailure(job, 'retrying', failure)
          .catch((error: unknown) => log.warn({ err: error }, 'could not record the retry'));
        events.emit({
          ...eventOf(job, 'code.retried'),
          attempt,
          reason: result.reason,
          ...(result.provider ? { provider: result.provider } : {}),
        });
        metrics.retries.inc({ tier: `${decision.tierMs}ms` });
        metrics.jobs.inc({ outcome: 'retried', channel: job.channel });
        log.warn({ reason: result.reason, delayMs: decision.delayMs }, 'delivery failed; retrying');
      } else {
        await republisher.deadLetter(message, {
          reason: decision.reason,
          lastError: result.lastError,
          attempts: attempt,
          jobId: job.jobId,
          expiresAt: job.expiresAt,
          ...(result.provider ? { provider: result.provider } : {}),
        });
        await store
          .recordFailure(job, 'dead_lettered', failure)
          .catch((error: unknown) => log.warn({ err: error }, 'could not record the dead letter'));
        // Two facts: delivery failed for good (what the business counts), and where the job went.
        for (const type of ['code.failed', 'code.dead_lettered'] as const) {
          events.emit({
            ...eventOf(job, type),
            attempt,
            reason: type === 'code.failed' ? result.reason : decision.reason,
            ...(result.provider ? { provider: result.provider } : {}),
          });
        }
        metrics.jobs.inc({ outcome: 'dead_lettered', channel: job.channel });
        log.error(
          { reason: decision.reason, lastError: result.lastError },
          'delivery failed for good; dead-lettered',
        );
      }
      await store.finishAttempt(job, run, attempt).catch(() => undefined);
      ack(channel, message);
    } catch (error) {
      // The job could not be moved on (broker trouble): give it back, it comes round again.
      log.warn({ err: error }, 'could not requeue a failed job; returning it to the queue');
      // No provider took it: the next delivery may run this attempt again at once.
      await store.releaseAttempt(job, run, attempt).catch(() => undefined);
      await this.giveBack(channel, message);
    }
  }

  /** Comes back later without using up an attempt. */
  private async defer(
    message: ConsumeMessage,
    channel: AmqpChannel,
    attempt: number,
    run: string,
    reason: string,
  ): Promise<void> {
    const [firstTier] = this.deps.settings.retryTiersMs;
    try {
      if (firstTier === undefined) throw new Error('no retry tiers');
      await this.deps.republisher.retry(message, {
        tierMs: firstTier,
        delayMs: firstTier,
        attempt,
        run,
        reason,
      });
      this.deps.metrics.jobs.inc({ outcome: 'deferred', channel: 'unknown' });
      ack(channel, message);
    } catch {
      await this.giveBack(channel, message);
    }
  }

  /** Gives the job back to the work queue after a pause (giveBackDelayMs says why). */
  private async giveBack(channel: AmqpChannel, message: ConsumeMessage): Promise<void> {
    const deliveries = Number(message.properties.headers?.['x-delivery-count'] ?? 0);
    await sleep(
      giveBackDelayMs(Number.isFinite(deliveries) ? deliveries : 0, this.deps.random ?? Math.random),
    );
    nack(channel, message, true);
  }
}

function eventOf(job: SendJob, type: OtpEventInput['type']): OtpEventInput {
  return {
    type,
    authenticationId: job.authenticationId,
    clientId: job.clientId,
    channel: job.channel,
    countryCallingCode: job.countryCallingCode,
    requestedAt: job.createdAt,
  };
}

/** Settling on a channel that died is harmless: the broker redelivers, and leases catch the repeat. */
function ack(channel: AmqpChannel, message: ConsumeMessage): void {
  try {
    channel.ack(message);
  } catch {
    /* channel closed: redelivery follows */
  }
}

function nack(channel: AmqpChannel, message: ConsumeMessage, requeue: boolean): void {
  try {
    channel.nack(message, false, requeue);
  } catch {
    /* channel closed: redelivery follows */
  }
}
