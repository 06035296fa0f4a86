import type { AmqpClient } from '@otpflow/amqp';
import type { ConsumeMessage } from 'amqplib';

/** Headers a send job carries between attempts (all set by the dispatcher; the gateway sets none). */
export const JOB_HEADERS = {
  attempt: 'x-otp-attempt',
  run: 'x-otp-run',
  reason: 'x-otp-reason',
  lastError: 'x-otp-last-error',
  provider: 'x-otp-provider',
  attempts: 'x-otp-attempts',
  deadLetteredAt: 'x-otp-dead-lettered-at',
  jobId: 'x-otp-job-id',
  expiresAt: 'x-otp-expires-at',
} as const;

export function attemptOf(message: ConsumeMessage): { attempt: number; run: string } {
  const headers: Record<string, unknown> = message.properties.headers ?? {};
  const attempt = Number(headers[JOB_HEADERS.attempt] ?? 1);
  const run = headers[JOB_HEADERS.run];
  return {
    attempt: Number.isInteger(attempt) && attempt >= 1 ? attempt : 1,
    run: typeof run === 'string' && run ? run : 'first',
  };
}

/**
 * Moves a job between queues with publisher confirms, so the original delivery is acked only once its
 * next home has it: a retry tier (the tier's TTL sends it back to the work queue), or the dead-letter
 * queue with the reason in its headers. The body, sealed, is passed on untouched.
 */
export class JobRepublisher {
  constructor(private readonly amqp: AmqpClient) {}

  private headersOf(message: ConsumeMessage, extra: Record<string, unknown>): Record<string, unknown> {
    // x-death grows with every pass through a TTL queue; our own headers say all that matters.
    const {
      'x-death': _death,
      'x-first-death-exchange': _exchange,
      'x-first-death-queue': _queue,
      'x-first-death-reason': _reason,
      ...rest
    } = message.properties.headers ?? {};
    return { ...rest, ...extra };
  }

  private publish(
    exchange: string,
    routingKey: string,
    message: ConsumeMessage,
    headers: Record<string, unknown>,
    expiration?: number,
  ) {
    return this.amqp.publish(exchange, routingKey, message.content, {
      messageId: String(message.properties.messageId ?? headers[JOB_HEADERS.jobId] ?? ''),
      type: message.properties.type as string | undefined,
      headers,
      ...(expiration !== undefined ? { expiration: String(expiration) } : {}),
    });
  }

  /** Sends the job to wait in a retry tier for `delayMs` (at most the tier's TTL), as `attempt`. */
  retry(
    message: ConsumeMessage,
    options: { tierMs: number; delayMs: number; attempt: number; run: string; reason: string },
  ): Promise<void> {
    const { names } = this.amqp;
    const headers = this.headersOf(message, {
      [JOB_HEADERS.attempt]: options.attempt,
      [JOB_HEADERS.run]: options.run,
      [JOB_HEADERS.reason]: options.reason,
    });
    return this.publish(
      names.retryExchange,
      names.retryRoutingKey(options.tierMs),
      message,
      headers,
      options.delayMs,
    );
  }

  /** Puts the job in the dead-letter queue with why, how often and where it last failed. */
  deadLetter(
    message: ConsumeMessage,
    details: {
      reason: string;
      lastError: string;
      attempts: number;
      provider?: string;
      jobId?: string;
      expiresAt?: string;
    },
  ): Promise<void> {
    const headers = this.headersOf(message, {
      [JOB_HEADERS.reason]: details.reason,
      [JOB_HEADERS.lastError]: details.lastError,
      [JOB_HEADERS.attempts]: details.attempts,
      [JOB_HEADERS.deadLetteredAt]: new Date().toISOString(),
      ...(details.provider ? { [JOB_HEADERS.provider]: details.provider } : {}),
      ...(details.jobId ? { [JOB_HEADERS.jobId]: details.jobId } : {}),
      ...(details.expiresAt ? { [JOB_HEADERS.expiresAt]: details.expiresAt } : {}),
    });
    return this.publish(this.amqp.names.deadExchange, '', message, headers);
  }
}
