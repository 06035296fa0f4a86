import type { Channel } from '@otpflow/contracts';
import { ProviderError, type ProviderFailureKind } from '../../src/providers/provider-error.js';
import type { OutboundMessage, Provider, ProviderReceipt } from '../../src/providers/provider.js';

/** What a scripted provider does with a call: accept, fail with a kind, or answer after a delay. */
export type ScriptedAnswer = 'accept' | ProviderFailureKind | { acceptAfterMs: number };

/**
 * A provider whose answers the test scripts, call by call (the last answer repeats). It records every
 * message it was given, and honours the abort signal like a real provider must.
 */
export class ScriptedProvider implements Provider {
  readonly messages: OutboundMessage[] = [];
  private answers: ScriptedAnswer[] = ['accept'];

  constructor(
    readonly name: string,
    readonly channels: readonly Channel[] = ['sms', 'voice'],
  ) {}

  answer(...answers: ScriptedAnswer[]): this {
    this.answers = answers;
    return this;
  }

  get calls(): number {
    return this.messages.length;
  }

  async send(message: OutboundMessage, signal: AbortSignal): Promise<ProviderReceipt> {
    const answer = this.answers[Math.min(this.messages.length, this.answers.length - 1)] ?? 'accept';
    this.messages.push(message);
    if (typeof answer === 'object') await delay(answer.acceptAfterMs, signal, this.name);
    else if (answer !== 'accept') throw new ProviderError(this.name, answer, `scripted ${answer}`);
    return { providerMessageId: `${this.name}-${this.messages.length}` };
  }
}

function delay(ms: number, signal: AbortSignal, provider: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new ProviderError(provider, 'timeout', 'scripted provider timed out'));
    });
  });
}
