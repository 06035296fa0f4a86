import { describe, expect, it } from 'vitest';
import { ProviderError } from '../providers/provider-error.js';
import type { OutboundMessage, Provider } from '../providers/provider.js';
import { ProviderRouter, type CircuitStateName } from './provider-router.js';

/** A provider whose answers the test scripts: the router's logic is what is under test here. */
function scripted(
  name: string,
  channels: Provider['channels'],
  answers: ('ok' | 'retryable' | 'permanent')[],
): Provider & { calls: number } {
  const provider = {
    name,
    channels,
    calls: 0,
    send: () => {
      const answer = answers[Math.min(provider.calls, answers.length - 1)];
      provider.calls += 1;
      if (answer === 'ok') return Promise.resolve({ providerMessageId: `${name}-${provider.calls}` });
      return Promise.reject(
        new ProviderError(name, answer === 'permanent' ? 'rejected' : 'server_error', 'scripted failure', {
          httpStatus: answer === 'permanent' ? 400 : 503,
        }),
      );
    },
  };
  return provider;
}

const message = { channel: 'sms', to: '+34612345678', text: 'x' } as OutboundMessage;
const routes = {
  defaults: { sms: ['alpha', 'beta'], voice: ['beta'] },
  byCountry: { sms: new Map([['33', ['beta']]]), voice: new Map<string, string[]>() },
};

describe('ProviderRouter', () => {
  it('routes by channel and country, keeping only providers that carry the channel', () => {
    const router = new ProviderRouter(
      new Map([
        ['alpha', scripted('alpha', ['sms'], ['ok'])],
        ['beta', scripted('beta', ['sms', 'voice'], ['ok'])],
      ]),
      { ...routes, defaults: { sms: ['alpha', 'beta'], voice: ['alpha', 'beta'] } },
      { failures: 3, halfOpenAfterMs: 60_000 },
    );
    expect(router.route('sms', '34').map((provider) => provider.name)).toEqual(['alpha', 'beta']);
    expect(router.route('sms', '33').map((provider) => provider.name)).toEqual(['beta']);
    expect(router.route('voice', '34').map((provider) => provider.name)).toEqual(['beta']);
  });

  it('opens a circuit after consecutive retryable failures only, then fails fast as circuit_open', async () => {
    const flaky = scripted('alpha', ['sms'], ['retryable']);
    const states: CircuitStateName[] = [];
    const router = new ProviderRouter(
      new Map([['alpha', flaky]]),
      routes,
      { failures: 3, halfOpenAfterMs: 60_000 },
      (_name, state) => states.push(state),
    );
    for (let call = 0; call < 3; call += 1)
      await expect(router.send(flaky, message, 1000)).rejects.toMatchObject({ failure: 'retryable' });
    expect(router.circuitState('alpha')).toBe('open');
    await expect(router.send(flaky, message, 1000)).rejects.toMatchObject({
      kind: 'circuit_open',
      reason: 'vendor_circuit_open',
    });
    expect(flaky.calls).toBe(3);
    expect(states).toEqual(['closed', 'open']);
  });

  it('does not count refused numbers against a provider', async () => {
    const strict = scripted('alpha', ['sms'], ['permanent']);
    const router = new ProviderRouter(new Map([['alpha', strict]]), routes, {
      failures: 2,
      halfOpenAfterMs: 60_000,
    });
    for (let call = 0; call < 5; call += 1)
      await expect(router.send(strict, message, 1000)).rejects.toMatchObject({ failure: 'permanent' });
    expect(router.circuitState('alpha')).toBe('closed');
  });

  it('turns a provider bug (an unclassified error) into a retryable failure', async () => {
    const broken: Provider = {
      name: 'alpha',
      channels: ['sms'],
      send: () => Promise.reject(new TypeError('oops')),
    };
    const router = new ProviderRouter(new Map([['alpha', broken]]), routes, {
      failures: 5,
      halfOpenAfterMs: 60_000,
    });
    await expect(router.send(broken, message, 1000)).rejects.toMatchObject({
      failure: 'retryable',
      kind: 'unexpected',
      reason: 'vendor_unexpected',
    });
  });
});
