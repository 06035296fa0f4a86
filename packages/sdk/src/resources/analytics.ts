import type { RequestOptions, Transport } from '../core/transport.js';
import type { Channel, Price } from './shared.js';

/** What verifications cost: otpflow's SMS parts, and what the vendors say they billed (per currency). */
export interface VerificationCost {
  smsParts: number;
  billedParts: number;
  price: Price[];
}

/** A verification in the listing (a read model of the events: it trails them by the projector's lag). */
export interface VerificationSummary {
  id: string;
  status: 'queued' | 'sent' | 'delivered' | 'verified' | 'expired' | 'failed' | 'canceled';
  channel: Channel;
  /** Masked; null until the request's event was read. */
  to: string | null;
  /** Country calling code, without `+`. */
  country: string;
  provider: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  verifiedAt: string | null;
  cost: VerificationCost;
}

export interface VerificationListParams {
  status?: VerificationSummary['status'];
  channel?: Channel;
  /** Country calling code: `33` or `+33`. */
  country?: string;
  /** ISO 8601: created at or after / before. */
  from?: string;
  to?: string;
  /** 1-100; 25 when left out. */
  pageSize?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface VerificationPage {
  verifications: VerificationSummary[];
  nextCursor: string | null;
}

export interface ConversionParams {
  from: string;
  to: string;
  groupBy?: 'country' | 'channel' | 'provider';
}

export interface ConversionFigures {
  requested: number;
  sent: number;
  verified: number;
  /** verified / sent; null when nothing was sent. */
  conversion: number | null;
  cost: VerificationCost;
}

export interface ConversionReport {
  from: string;
  to: string;
  groupBy: ConversionParams['groupBy'] | null;
  groups: (ConversionFigures & { key: string })[];
  total: ConversionFigures;
}

/** `?a=1&b=2` of the parameters that are set. */
export function queryString(params: object): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** GET /v1/verifications, a page at a time: retried on transient failures (a read). */
export function listVerifications(
  transport: Transport,
  params: VerificationListParams,
  options?: RequestOptions,
): Promise<VerificationPage> {
  return transport.request({
    method: 'GET',
    path: `/v1/verifications${queryString(params)}`,
    idempotent: true,
    options,
  });
}

/** The tenant's analytics, from hourly aggregates of the events. */
export class Analytics {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** GET /v1/analytics/conversion: sent, verified, conversion and cost over a range. */
  conversion(params: ConversionParams, options?: RequestOptions): Promise<ConversionReport> {
    return this.#transport.request({
      method: 'GET',
      path: `/v1/analytics/conversion${queryString(params)}`,
      idempotent: true,
      options,
    });
  }
}
