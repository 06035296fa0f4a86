import { createLogger } from '@otpflow/telemetry';
import type { ProviderFactory } from '../../src/providers/provider-factory.js';
import type { Provider } from '../../src/providers/provider.js';
import type { VendorFake } from '../fakes/vendor-fake.js';
import type { ContractSubject } from './provider-contract.js';

const silent = createLogger({ service: 'test', level: 'silent' });

/** A provider made as the registry makes it: from its environment, parsed by its own schema. */
export function providerFromEnv(factory: ProviderFactory, env: Record<string, string>): Provider {
  return factory.create(factory.envSchema.parse(env), { logger: silent });
}

/**
 * The contract's subject for a provider that calls a vendor fake: the fake plays the scenarios,
 * counts the requests and closes with the subject; the test says what the exact request is.
 */
export function vendorSubject(
  fake: VendorFake,
  provider: Provider,
  expectExactRequest: ContractSubject['expectExactRequest'],
): ContractSubject {
  return {
    provider,
    scenario: (next) => {
      fake.scenario = next;
    },
    requestCount: () => fake.requests.length,
    expectExactRequest,
    close: () => fake.close(),
  };
}
