import type { CallbackJob } from '@otpflow/contracts';
import { Webhook } from 'standardwebhooks';
import { fetch, type Agent } from 'undici';
import {
  callbackAgent,
  CallbackAddressRefusedError,
  literalRefusal,
  type AddressRefusal,
  type CallbackAgentOptions,
} from './callback-egress.js';
import { classifyStatus, type CallbackResult } from './callback-retry.js';

export interface CallbackSenderOptions extends CallbackAgentOptions {
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

/** The lastError of a refused callback: the host and what it answered, never the URL's path or query. */
const refused = (refusal: AddressRefusal): CallbackResult => ({
  kind: 'refused',
  error: `address_refused: ${refusal.host} is ${refusal.address} (${refusal.range})`,
});

/**
 * POSTs signed callbacks, on a connection pool of its own whose lookup refuses endpoints that
 * resolve to internal addresses (docs/SECURITY.md). Each attempt is signed afresh (the timestamp is
 * the attempt's, so a receiver's replay window holds for retries too); redirects are not followed:
 * the registered URL is the one that was validated.
 */
export class CallbackSender {
  private readonly agent: Agent;

  constructor(private readonly options: CallbackSenderOptions) {
    this.agent = callbackAgent(options);
  }

  readonly send = async (job: CallbackJob, secret: string): Promise<CallbackResult> => {
    const literal = this.options.allowPrivateAddresses ? undefined : literalRefusal(job.url);
    if (literal) return refused(literal);
    const at = this.options.now?.() ?? new Date();
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
        signal: AbortSignal.timeout(this.options.timeoutMs),
        dispatcher: this.agent,
      });
      // The body is not read beyond what frees the connection: endpoints answer what they like.
      await response.body?.cancel().catch(() => undefined);
      return classifyStatus(response.status);
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof CallbackAddressRefusedError) return refused(cause.refusal);
      const name = (error as { name?: unknown }).name;
      return { kind: 'retryable', error: name === 'TimeoutError' ? 'timeout' : 'network_error' };
    }
  };

  /** Closes the pooled connections (shutdown, after the worker has drained). */
  close(): Promise<void> {
    return this.agent.close();
  }
}
