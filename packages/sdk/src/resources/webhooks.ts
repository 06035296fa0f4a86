import { pathSegment, type RequestOptions, type Transport } from '../core/transport.js';

/** What an endpoint can subscribe to. */
export type WebhookEventType =
  | 'verification.sent'
  | 'verification.delivered'
  | 'verification.undelivered'
  | 'verification.approved'
  | 'verification.expired'
  | 'verification.failed'
  | 'verification.canceled'
  | 'verification.fraud_blocked';

export interface WebhookCreateParams {
  /** https:// (plain http only where the deployment allows it, never in production). */
  url: string;
  events: WebhookEventType[];
  description?: string;
  enabled?: boolean;
}

export type WebhookUpdateParams = Partial<WebhookCreateParams>;

/** A registered callback endpoint. Times are ISO 8601 strings. */
export interface Webhook {
  id: string;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  description?: string;
  createdAt: string;
  updatedAt: string;
}

/** The answer to a create or a rotation: the only time the signing secret (`whsec_...`) is shown. */
export interface WebhookWithSecret extends Webhook {
  secret: string;
}

export interface WebhookListResponse {
  webhooks: Webhook[];
}

/**
 * /v1/webhooks: the calling client's status callback endpoints (scope `otpflow:templates`). A create
 * or a rotation is not retried (a retry would make a second endpoint or a second secret); the rest is
 * safe to repeat. `verifyWebhook` (./webhook-signature) checks what the endpoints receive.
 */
export class Webhooks {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** POST /v1/webhooks. */
  create(params: WebhookCreateParams, options?: RequestOptions): Promise<WebhookWithSecret> {
    return this.#transport.request({
      method: 'POST',
      path: '/v1/webhooks',
      body: params,
      idempotent: false,
      options,
    });
  }

  /** GET /v1/webhooks. */
  list(options?: RequestOptions): Promise<WebhookListResponse> {
    return this.#transport.request({ method: 'GET', path: '/v1/webhooks', idempotent: true, options });
  }

  /** GET /v1/webhooks/{id}. */
  retrieve(id: string, options?: RequestOptions): Promise<Webhook> {
    return this.#transport.request({ method: 'GET', path: webhookPath(id), idempotent: true, options });
  }

  /** PATCH /v1/webhooks/{id}: the fields given change, the others stay. */
  update(id: string, params: WebhookUpdateParams, options?: RequestOptions): Promise<Webhook> {
    return this.#transport.request({
      method: 'PATCH',
      path: webhookPath(id),
      body: params,
      idempotent: true,
      options,
    });
  }

  /** DELETE /v1/webhooks/{id}. */
  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.#transport.request<undefined>({
      method: 'DELETE',
      path: webhookPath(id),
      idempotent: true,
      options,
    });
  }

  /** POST /v1/webhooks/{id}/secret: a new secret; callbacks already queued keep the old one. */
  rotateSecret(id: string, options?: RequestOptions): Promise<WebhookWithSecret> {
    return this.#transport.request({
      method: 'POST',
      path: `${webhookPath(id)}/secret`,
      idempotent: false,
      options,
    });
  }
}

function webhookPath(id: string): string {
  return `/v1/webhooks/${pathSegment(id, 'id')}`;
}
