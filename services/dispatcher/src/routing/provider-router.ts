import type { Channel } from '@otpflow/contracts';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ProviderError } from '../providers/provider-error.js';
import type { OutboundMessage, Provider, ProviderReceipt } from '../providers/provider.js';

export interface RoutingTable {
  /** Default provider order per channel. */
  defaults: Record<Channel, readonly string[]>;
  /** Overrides per country calling code, per channel. */
  byCountry: Record<Channel, ReadonlyMap<string, readonly string[]>>;
}

export interface BreakerSettings {
  /** Consecutive retryable failures that open a provider's circuit. */
  failures: number;
  halfOpenAfterMs: number;
}

export type CircuitStateName = 'closed' | 'open' | 'half_open' | 'isolated';

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * Chooses providers for a message and calls them through a circuit breaker each (cockatiel). Only
 * retryable failures (outages, timeouts, throttling) count against a provider: a refused number says
 * nothing about its health. An open circuit makes the provider fail fast, so the job moves on to the
 * next provider in its route instead of waiting on a dead one.
 */
export class ProviderRouter {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly providers: ReadonlyMap<string, Provider>,
    private readonly routes: RoutingTable,
    breaker: BreakerSettings,
    onStateChange: (provider: string, state: CircuitStateName) => void = () => undefined,
  ) {
    for (const name of providers.keys()) {
      const policy = circuitBreaker(
        handleWhen((error) => error instanceof ProviderError && error.failure === 'retryable'),
        { halfOpenAfter: breaker.halfOpenAfterMs, breaker: new ConsecutiveBreaker(breaker.failures) },
      );
      policy.onStateChange((state) => {
        onStateChange(name, STATE_NAMES[state]);
      });
      onStateChange(name, 'closed');
      this.breakers.set(name, policy);
    }
  }

  /** The providers to try for a channel and country, in order. */
  route(channel: Channel, countryCallingCode: string): Provider[] {
    const names = this.routes.byCountry[channel].get(countryCallingCode) ?? this.routes.defaults[channel];
    return names
      .map((name) => this.providers.get(name))
      .filter(
        (provider): provider is Provider => provider !== undefined && provider.channels.includes(channel),
      );
  }

  circuitState(provider: string): CircuitStateName {
    const policy = this.breakers.get(provider);
    return policy ? STATE_NAMES[policy.state] : 'closed';
  }

  /**
   * Sends through one provider within the timeout. An open circuit is a ProviderError of kind
   * `circuit_open` (retryable), so callers treat "skipped" like any other transient failure.
   */
  async send(provider: Provider, message: OutboundMessage, timeoutMs: number): Promise<ProviderReceipt> {
    const policy = this.breakers.get(provider.name);
    if (!policy) throw new Error(`no circuit breaker for ${provider.name}`);
    try {
      return await policy.execute(({ signal }) =>
        provider.send(message, AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])),
      );
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new ProviderError(provider.name, 'circuit_open', 'circuit open: provider skipped', {
          vendorCode: 'circuit_open',
          cause: error,
        });
      }
      if (error instanceof ProviderError) throw error;
      // A provider must classify its failures; anything else is a bug in it, and not the job's fault.
      throw new ProviderError(provider.name, 'unexpected', 'provider failed unexpectedly', {
        vendorCode: 'unexpected',
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(
      [...this.providers.values()].map((provider) => Promise.resolve(provider.close?.())),
    );
  }
}
