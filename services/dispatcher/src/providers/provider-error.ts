import { AppError } from '@otpflow/errors';

/**
 * Why a provider did not take a message, in our terms: a closed set that every provider maps its
 * vendor's statuses to, and that retry, failover, the circuit breaker and the metrics read. Never
 * decided from message text.
 */
export const PROVIDER_FAILURE_KINDS = [
  /** No answer within the dispatcher's timeout (or the vendor's own request timeout, 408). */
  'timeout',
  /** Could not reach the vendor, or the connection dropped before a full answer. */
  'connection',
  /** Skipped without a call: the provider's circuit breaker is open. */
  'circuit_open',
  /** The vendor asks us to slow down (429, throttling statuses). */
  'throttled',
  /** The vendor failed on its side (5xx, internal-error statuses). */
  'server_error',
  /** The vendor answered something we cannot read: never taken for acceptance. */
  'unreadable_answer',
  /** The provider module failed in a way it did not classify: a bug in it, not the job's fault. */
  'unexpected',
  /** This provider will never take this message (invalid number, refused sender, bad credentials). */
  'rejected',
] as const;
export type ProviderFailureKind = (typeof PROVIDER_FAILURE_KINDS)[number];

/** The two families retry and failover care about. */
export type ProviderFailure = 'retryable' | 'permanent';

const FAMILY: Record<ProviderFailureKind, ProviderFailure> = {
  timeout: 'retryable',
  connection: 'retryable',
  circuit_open: 'retryable',
  throttled: 'retryable',
  server_error: 'retryable',
  unreadable_answer: 'retryable',
  unexpected: 'retryable',
  rejected: 'permanent',
};

/** A vendor code short and plain enough for a metric label or a stored reason; anything else is `other`. */
export function boundedVendorCode(value: string | number): string {
  const text = String(value);
  return /^[A-Za-z0-9_.-]{1,48}$/.test(text) ? text : 'other';
}

export class ProviderError extends AppError {
  override readonly name = 'ProviderError';

  constructor(
    readonly provider: string,
    readonly kind: ProviderFailureKind,
    message: string,
    options: { vendorCode?: string | number; httpStatus?: number; cause?: unknown } = {},
  ) {
    super(`PROVIDER_${kind.toUpperCase()}`, message, {
      retryable: FAMILY[kind] === 'retryable',
      context: { provider, kind, vendorCode: options.vendorCode, httpStatus: options.httpStatus },
      cause: options.cause,
    });
  }

  get failure(): ProviderFailure {
    return FAMILY[this.kind];
  }

  /** A short, bounded reason for metrics and the dead-letter queue: `http_503`, `vendor_21211`, `timeout`. */
  get reason(): string {
    const { vendorCode, httpStatus } = this.context as { vendorCode?: string | number; httpStatus?: number };
    if (vendorCode !== undefined) return `vendor_${boundedVendorCode(vendorCode)}`;
    if (httpStatus !== undefined) return `http_${httpStatus}`;
    return this.kind;
  }
}

/** The usual HTTP classification of an answer that is not a success. */
export function kindForHttpStatus(status: number): ProviderFailureKind {
  if (status === 429) return 'throttled';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server_error';
  return 'rejected';
}
