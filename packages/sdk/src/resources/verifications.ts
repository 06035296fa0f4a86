import { pathSegment, type RequestOptions, type Transport } from '../core/transport.js';
import { listVerifications, type VerificationListParams, type VerificationPage } from './analytics.js';
import type {
  Channel,
  ChargeInfo,
  CodeAlphabet,
  Price,
  VoiceGender,
  VoiceLanguage,
  WorkflowStep,
} from './shared.js';

/** A message template to render, instead of a free text. */
export interface VerificationTemplateRef {
  /** Template id (1-100 characters), as stored with `client.templates.upsert`. */
  id: string;
  /** `es`, `es-ES`…; the client policy's default locale when left out. */
  locale?: string;
  /** Values of the template's `{{variables}}`: at most 100 characters each, no braces. */
  variables?: Readonly<Record<string, string>>;
}

interface VerificationCreateFields {
  /** E.164 with a leading '+'. */
  to: string;
  /** The policy's first channel when left out (SMS if it allows SMS). */
  channel?: Channel;
  /**
   * Ordered channel steps (1-4), every step sending the same code: e.g. an SMS, then a call if the
   * code is not verified within 60 s. Its first step is the channel (give `channel` only if it agrees).
   * The policy's default workflow when both are left out.
   */
  workflow?: readonly WorkflowStep[];
  code?: {
    /** 4-32 characters; digit-only codes 4-10. */
    length?: number;
    alphabet?: readonly CodeAlphabet[];
  };
  /** 30-86400, within the client policy's bounds. */
  validitySeconds?: number;
  /** 1-20, within the client policy's bounds. */
  maxAttempts?: number;
  /** 3-11 letters or digits, one the client policy allows. */
  senderId?: string;
  /** Voice channel, or a workflow with a voice step, only. */
  voice?: { language?: VoiceLanguage; gender?: VoiceGender };
  /** IPv4 or IPv6 address of the user asking for the code. */
  recipientIp?: string;
}

/**
 * POST /v1/verifications. The text is a free `message` (1-1224 characters with `{{code}}`) or a
 * `template`, never both; with neither, the policy's default template or the standard text.
 */
export type VerificationCreateParams = VerificationCreateFields &
  ({ message?: string; template?: never } | { message?: never; template?: VerificationTemplateRef });

export interface VerificationCreateOptions extends RequestOptions {
  /**
   * Sent as `Idempotency-Key` (1-255 visible ASCII characters): a repeated create with the same key
   * answers the first verification and sends no second code. It also lets the SDK retry the create.
   */
  idempotencyKey?: string;
}

export type VerificationStatus =
  'queued' | 'sent' | 'delivered' | 'verified' | 'expired' | 'failed' | 'canceled';

export interface DeliveryAttempt {
  provider: string;
  /** ISO 8601. */
  at: string;
  outcome: 'accepted' | 'retryable_error' | 'permanent_error' | 'timeout';
  error?: string;
}

/** A verification as the gateway shows it. Times are ISO 8601 strings. */
export interface Verification {
  id: string;
  status: VerificationStatus;
  channel: Channel;
  /** The number, masked: `+346******78`. */
  to: string;
  createdAt: string;
  expiresAt: string;
  maxAttempts: number;
  attemptsRemaining: number;
  /** When `resend` is allowed again. */
  resendAllowedAt: string;
  /** SMS only: what the text costs. */
  chargeInfo: ChargeInfo | null;
  delivery: {
    /** The delivery record's status (`queued`, `sent`, `delivered`, `undelivered`…). */
    status: string;
    provider: string | null;
    attempts: number;
    history: DeliveryAttempt[];
    lastError: string | null;
    sentAt: string | null;
    deliveredAt: string | null;
    /** SMS parts the vendor says it billed, where it says (otherwise null: `chargeInfo` is otpflow's count). */
    billedParts: number | null;
    /** What the vendor says the message cost, where it says (from its answer or its delivery receipt). */
    price: Price | null;
  };
  verifiedAt: string | null;
}

export interface VerificationCheckParams {
  /** 1-32 characters. */
  code: string;
}

export interface VerificationCheckResponse {
  id: string;
  valid: boolean;
  status: VerificationStatus;
  attemptsRemaining: number;
}

export interface VerificationResendParams {
  /** The verification's channel when left out. */
  channel?: Channel;
}

const BASE = '/v1/verifications';

/**
 * The native verifications API. `retrieve` and `cancel` are retried on transient failures, `create`
 * only with an idempotency key; `check` and `resend` never are (they spend an attempt, send a code).
 */
export class Verifications {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** POST /v1/verifications: sends a code (201). */
  create(params: VerificationCreateParams, options: VerificationCreateOptions = {}): Promise<Verification> {
    const { idempotencyKey, ...requestOptions } = options;
    return this.#transport.request({
      method: 'POST',
      path: BASE,
      body: params,
      headers: { 'idempotency-key': idempotencyKey },
      idempotent: idempotencyKey !== undefined,
      options: requestOptions,
    });
  }

  /** POST /v1/verifications/{id}/check: each check spends one attempt, right or wrong. */
  check(
    id: string,
    params: VerificationCheckParams,
    options?: RequestOptions,
  ): Promise<VerificationCheckResponse> {
    return this.#transport.request({
      method: 'POST',
      path: `${BASE}/${pathSegment(id, 'id')}/check`,
      body: { code: params.code },
      idempotent: false,
      options,
    });
  }

  /** GET /v1/verifications: the caller's verifications, newest first, filtered, a page at a time. */
  list(params: VerificationListParams = {}, options?: RequestOptions): Promise<VerificationPage> {
    return listVerifications(this.#transport, params, options);
  }

  /** GET /v1/verifications/{id}: status and delivery attempts. */
  retrieve(id: string, options?: RequestOptions): Promise<Verification> {
    return this.#transport.request({
      method: 'GET',
      path: `${BASE}/${pathSegment(id, 'id')}`,
      idempotent: true,
      options,
    });
  }

  /** POST /v1/verifications/{id}/cancel: the code never validates after. Canceling twice is harmless. */
  cancel(id: string, options?: RequestOptions): Promise<Verification> {
    return this.#transport.request({
      method: 'POST',
      path: `${BASE}/${pathSegment(id, 'id')}/cancel`,
      idempotent: true,
      options,
    });
  }

  /** POST /v1/verifications/{id}/resend: a new code, on the same or another channel; the old one stops working. */
  resend(id: string, params: VerificationResendParams = {}, options?: RequestOptions): Promise<Verification> {
    return this.#transport.request({
      method: 'POST',
      path: `${BASE}/${pathSegment(id, 'id')}/resend`,
      body: params,
      idempotent: false,
      options,
    });
  }
}
