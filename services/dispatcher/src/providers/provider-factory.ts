import type { Logger } from '@otpflow/telemetry';
import type { z } from 'zod';
import type { ReceiptVerifier, ReceiptWindow } from '../receipts/delivery-receipt.js';
import type { Provider } from './provider.js';

/**
 * How a provider module plugs in: its own environment variables (validated at start-up, only when the
 * provider is in use), what it refuses in production, and a constructor. The registry lists the
 * factories; config.ts parses the env of every enabled one together, so a deployment learns all its
 * mistakes at once.
 */
export interface ProviderFactory<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly envSchema: S;
  /** Settings that are fine for development but refused in production, as `VARIABLE: why`. */
  productionProblems?(settings: z.output<S>): string[];
  create(settings: z.output<S>, deps: { logger: Logger }): Provider;
  /**
   * The verifier of the vendor's HTTP delivery receipts, when the settings allow authenticating them
   * (a signature secret, a token); undefined otherwise, and the receipts endpoint refuses them (404).
   */
  receiptVerifier?(settings: z.output<S>, window: ReceiptWindow): ReceiptVerifier | undefined;
}

/** `VARIABLE: must be https in production` when a URL setting is plain http. */
export function requireHttps(variable: string, url: string | undefined): string[] {
  return url !== undefined && !url.startsWith('https://')
    ? [`${variable}: must be an https:// URL in production`]
    : [];
}

export function defineProvider<S extends z.ZodType>(factory: ProviderFactory<S>): ProviderFactory<S> {
  return factory;
}
