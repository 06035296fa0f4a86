import { AppError } from '@otpflow/errors';

/**
 * Why a provider did not take a message, in our terms:
 * - `retryable`: worth trying again later (timeouts, connection errors, 5xx, 429, throttling);
 * - `permanent`: this provider will never take this message (invalid number, rejected sender, most 4xx);
 *   another provider may.
 * Decided by each provider from the vendor's status codes, never from message text.
 */
export type ProviderFailure = 'retryable' | 'permanent';

export class ProviderError extends AppError {
  override readonly name = 'ProviderError';

  constructor(
    readonly provider: string,
    readonly failure: ProviderFailure,
    message: string,
    options: { vendorCode?: string | number; httpStatus?: number; cause?: unknown } = {},
  ) {
    super(`PROVIDER_${failure.toUpperCase()}`, message, {
      retryable: failure === 'retryable',
      context: { provider, vendorCode: options.vendorCode, httpStatus: options.httpStatus },
      cause: options.cause,
    });
  }

  /** A short, bounded reason for metrics and the dead-letter queue: `http_503`, `vendor_21211`, `timeout`. */
  get reason(): string {
    const { vendorCode, httpStatus } = this.context as { vendorCode?: string | number; httpStatus?: number };
    if (vendorCode !== undefined) return `vendor_${String(vendorCode)}`.slice(0, 64);
    if (httpStatus !== undefined) return `http_${httpStatus}`;
    return this.failure === 'retryable' ? 'transient' : 'rejected';
  }
}

/** Misconfigured credentials or settings for a provider: fails start-up, never a job. */
export class ProviderConfigError extends AppError {
  override readonly name = 'ProviderConfigError';

  constructor(provider: string, message: string) {
    super('PROVIDER_CONFIG', `${provider}: ${message}`, { context: { provider } });
  }
}
