import type { CallbackJob } from '@otpflow/contracts';
import { Webhook } from 'standardwebhooks';
import { classifyStatus, type CallbackResult } from './callback-retry.js';

export interface CallbackSenderOptions {
  /** Bound on one POST, connect to last byte: a slow endpoint costs a worker slot this long at most. */
  timeoutMs: number;
  now?: () => Date;
}

/** The Standard Webhooks headers for a body: `webhook-id`, `webhook-timestamp`, `webhook-signature`. */
export function signedHeaders(
  job: Pick<CallbackJob, 'webhookId' | 'body'>,
  secret: string,
  at: Date,
): Record<string, string> {
  return {
    'webhook-id': job.webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(job.webhookId, at, job.body),
  };
}

/**
 * POSTs one signed callback. Each attempt is signed afresh (the timestamp is the attempt's, so a
 * receiver's replay window holds for retries too); redirects are not followed: the registered URL is
 * the one that was validated.
 */
export async function sendCallback(
  job: CallbackJob,
  secret: string,
  options: CallbackSenderOptions,
): Promise<CallbackResult> {
  const at = options.now?.() ?? new Date();
  try {
    const response = await fetch(job.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'otpflow-callbacks/1',
        ...signedHeaders(job, secret, at),
      },
      body: job.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The body is not read beyond what frees the connection: endpoints answer what they like.
    await response.body?.cancel().catch(() => undefined);
    return classifyStatus(response.status);
  } catch (error) {
    const name = (error as { name?: unknown }).name;
    return { kind: 'retryable', error: name === 'TimeoutError' ? 'timeout' : 'network_error' };
  }
}
