import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { httpRequest } from '../http-transport.js';
import { kindForHttpStatus, ProviderError } from '../provider-error.js';
import { defineProvider, requireHttps } from '../provider-factory.js';
import type { OutboundMessage, Provider, ProviderReceipt } from '../provider.js';

const envSchema = z.object({
  WEBHOOK_URL: z.url(),
  /** Signs each request (X-Otpflow-Signature: sha256=HMAC(body)) so the receiver can trust it. */
  WEBHOOK_SECRET: z.string().min(16).optional(),
});

/** The JSON an in-house SMS gateway receives. */
export interface WebhookRequestBody {
  to: string;
  text: string;
  channel: OutboundMessage['channel'];
  authenticationId: string;
  sender: string | null;
  language: string | null;
}

/**
 * Generic HTTP POST for in-house SMS gateways. 2xx is accepted (a JSON `id` in the answer becomes the
 * provider message id for delivery receipts); 429 and 5xx are retryable; any other status is permanent.
 * An `Idempotency-Key` header lets the receiver drop a message it already took.
 */
class WebhookProvider implements Provider {
  readonly name = 'webhook';
  readonly channels = ['sms', 'voice'] as const;

  constructor(private readonly settings: z.output<typeof envSchema>) {}

  async send(message: OutboundMessage, signal: AbortSignal): Promise<ProviderReceipt> {
    const body: WebhookRequestBody = {
      to: message.to,
      text: message.text,
      channel: message.channel,
      authenticationId: message.authenticationId,
      sender: message.senderId ?? null,
      language: message.voice?.language ?? message.locale ?? null,
    };
    const payload = JSON.stringify(body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': message.idempotencyKey,
    };
    if (this.settings.WEBHOOK_SECRET) {
      headers['x-otpflow-signature'] =
        `sha256=${createHmac('sha256', this.settings.WEBHOOK_SECRET).update(payload).digest('hex')}`;
    }
    const response = await httpRequest(this.name, this.settings.WEBHOOK_URL, {
      headers,
      body: payload,
      signal,
    });
    if (response.status < 200 || response.status > 299) {
      throw new ProviderError(
        this.name,
        kindForHttpStatus(response.status),
        `webhook answered ${response.status}`,
        {
          httpStatus: response.status,
        },
      );
    }
    const id = (response.json as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' || typeof id === 'number' ? { providerMessageId: String(id) } : {};
  }
}

export const webhookProvider = defineProvider({
  name: 'webhook',
  envSchema,
  // The request carries the number and the code: over TLS, and signed so the receiver can trust it.
  productionProblems: (settings) => [
    ...requireHttps('WEBHOOK_URL', settings.WEBHOOK_URL),
    ...(settings.WEBHOOK_SECRET ? [] : ['WEBHOOK_SECRET: required in production (requests are signed)']),
  ],
  create: (settings) => new WebhookProvider(settings),
});
