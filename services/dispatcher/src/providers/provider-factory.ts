import type { Logger } from '@otpflow/telemetry';
import type { z } from 'zod';
import type { Provider } from './provider.js';

/**
 * How a provider module plugs in: its own environment variables (validated at start-up, only when the
 * provider is in use) and a constructor. The registry lists the factories; config.ts parses the env of
 * every enabled one together, so a deployment learns all its mistakes at once.
 */
export interface ProviderFactory<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly envSchema: S;
  create(settings: z.output<S>, deps: { logger: Logger }): Provider;
}

export function defineProvider<S extends z.ZodType>(factory: ProviderFactory<S>): ProviderFactory<S> {
  return factory;
}
