import type { Logger } from '@otpflow/telemetry';
import { accuauthProvider } from './accuauth/accuauth.provider.js';
import { consoleProvider } from './console/console.provider.js';
import { octopushProvider } from './octopush/octopush.provider.js';
import type { ProviderFactory } from './provider-factory.js';
import type { Provider } from './provider.js';
import { smppProvider } from './smpp/smpp.provider.js';
import { twilioProvider } from './twilio/twilio.provider.js';
import { vonageProvider } from './vonage/vonage.provider.js';
import { webhookProvider } from './webhook/webhook.provider.js';

/** Every provider module otpflow ships. A deployment enables some of them by name. */
export const PROVIDER_FACTORIES: readonly ProviderFactory[] = [
  consoleProvider,
  webhookProvider,
  twilioProvider,
  vonageProvider,
  octopushProvider,
  accuauthProvider,
  smppProvider,
];

export const PROVIDER_NAMES = PROVIDER_FACTORIES.map((factory) => factory.name);

export function providerFactory(name: string): ProviderFactory | undefined {
  return PROVIDER_FACTORIES.find((factory) => factory.name === name);
}

/** Builds a fresh instance of each named provider from its already-validated settings. */
export function buildProviders(
  settings: ReadonlyMap<string, unknown>,
  deps: { logger: Logger },
): Map<string, Provider> {
  const providers = new Map<string, Provider>();
  for (const [name, providerSettings] of settings) {
    const factory = providerFactory(name);
    if (!factory) throw new Error(`unknown provider ${name}`);
    providers.set(name, factory.create(providerSettings, { logger: deps.logger.child({ provider: name }) }));
  }
  return providers;
}
