import { expect, it } from 'vitest';
import { ProviderError } from '../../src/providers/provider-error.js';
import type { OutboundMessage, Provider } from '../../src/providers/provider.js';

/** What the vendor's fake can be told to do, in its own wire format. */
export type VendorScenario =
  'accept' | 'reject-number' | 'server-error' | 'rate-limited' | 'hang' | 'garbage';

export interface ContractSubject {
  provider: Provider;
  /** Makes the vendor's fake answer the next requests as the scenario says. */
  scenario: (scenario: VendorScenario) => void;
  /** The requests the fake received since the subject was made. */
  requestCount: () => number;
  /** Asserts the last request is exactly what the vendor's API expects for this message. */
  expectExactRequest: (message: OutboundMessage) => void;
  close: () => Promise<void>;
}

export function sampleMessage(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    idempotencyKey: 'job-1:1',
    jobId: '1f0c1f8e-7f4e-4a43-9f0b-9f6f1b3f2a11',
    authenticationId: 'ea0840f3-3663-4149-bd10-c7c6b8912105',
    channel: 'sms',
    to: '+34612345678',
    text: '482913 is your Cool App code',
    code: '482913',
    expiresAt: new Date(Date.now() + 300_000),
    variables: {},
    sms: { encoding: 'GSM-7', parts: 1 },
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the send to fail');
}

/**
 * The one contract every provider passes, against a local server speaking the vendor's real wire
 * format: the exact request for a message, acceptance, each failure kind, timeouts and garbage. It
 * needs no broker or store, so it runs in the component tier.
 * Call it inside a `describe` whose `beforeEach` makes a fresh subject.
 */
export function providerContract(
  subject: () => ContractSubject,
  options: { voice?: Partial<OutboundMessage> } = {},
): void {
  it('sends exactly the request the vendor API expects, once, and resolves on acceptance', async () => {
    const { provider, scenario, requestCount, expectExactRequest } = subject();
    scenario('accept');
    const message = sampleMessage();
    const receipt = await provider.send(message, AbortSignal.timeout(5_000));
    expect(requestCount()).toBe(1);
    expectExactRequest(message);
    expect(receipt).toBeTypeOf('object');
  });

  if (options.voice) {
    const voice = options.voice;
    it('places voice messages with the vendor voice API', async () => {
      const { provider, scenario, expectExactRequest } = subject();
      expect(provider.channels).toContain('voice');
      scenario('accept');
      const message = sampleMessage({ channel: 'voice', sms: undefined, ...voice });
      await provider.send(message, AbortSignal.timeout(5_000));
      expectExactRequest(message);
    });
  }

  it('maps a refused number to a permanent failure', async () => {
    const { provider, scenario } = subject();
    scenario('reject-number');
    const error = await failureOf(provider.send(sampleMessage(), AbortSignal.timeout(5_000)));
    expect(error.failure).toBe('permanent');
    expect(error.kind).toBe('rejected');
  });

  it('maps a vendor server error to a retryable failure', async () => {
    const { provider, scenario } = subject();
    scenario('server-error');
    const error = await failureOf(provider.send(sampleMessage(), AbortSignal.timeout(5_000)));
    expect(error.failure).toBe('retryable');
    expect(error.kind).toBe('server_error');
  });

  it('maps throttling to a retryable failure', async () => {
    const { provider, scenario } = subject();
    scenario('rate-limited');
    const error = await failureOf(provider.send(sampleMessage(), AbortSignal.timeout(5_000)));
    expect(error.failure).toBe('retryable');
    expect(error.kind).toBe('throttled');
  });

  it('gives up on a vendor that hangs when the signal aborts, as retryable', async () => {
    const { provider, scenario } = subject();
    scenario('hang');
    const started = Date.now();
    const error = await failureOf(provider.send(sampleMessage(), AbortSignal.timeout(300)));
    expect(error.failure).toBe('retryable');
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('treats an answer it cannot understand as retryable, never as accepted', async () => {
    const { provider, scenario } = subject();
    scenario('garbage');
    const error = await failureOf(provider.send(sampleMessage(), AbortSignal.timeout(5_000)));
    expect(error.failure).toBe('retryable');
    // A readable answer that is not the API's, or one cut off before it could be read.
    expect(['unreadable_answer', 'connection']).toContain(error.kind);
  });
}
