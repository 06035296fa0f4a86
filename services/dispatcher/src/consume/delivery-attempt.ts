import type { Channel, SealedSendPayload, SendJob } from '@otpflow/contracts';
import type { DeliveryAttemptRecord } from '@otpflow/mongo';
import { maskPhoneNumbersIn } from '@otpflow/telemetry';
import type { DispatcherMetrics } from '../dispatcher-metrics.js';
import { ProviderError } from '../providers/provider-error.js';
import type { OutboundMessage, ProviderReceipt } from '../providers/provider.js';
import type { ProviderRouter } from '../routing/provider-router.js';
import { outboundMessage } from './outbound-message.js';

export type AttemptResult =
  | {
      accepted: true;
      provider: string;
      receipt: ProviderReceipt;
      message: OutboundMessage;
      history: DeliveryAttemptRecord[];
    }
  | {
      accepted: false;
      retryable: boolean;
      reason: string;
      lastError: string;
      provider?: string;
      history: DeliveryAttemptRecord[];
    };

export interface AttemptSettings {
  providerTimeoutMs: number;
  smsFallbackToVoice: boolean;
}

/**
 * One delivery attempt of a job: its route's providers in order until one accepts (failover), then,
 * if every SMS provider refused the message for good and fallback is on, the voice route. The attempt
 * is retryable if any provider failed for a transient reason.
 */
export async function attemptDelivery(
  job: SendJob,
  payload: SealedSendPayload,
  run: string,
  deps: { router: ProviderRouter; metrics: DispatcherMetrics; settings: AttemptSettings },
): Promise<AttemptResult> {
  const history: DeliveryAttemptRecord[] = [];
  const failures: ProviderError[] = [];

  const tryChannel = async (channel: Channel): Promise<AttemptResult | undefined> => {
    const message = outboundMessage(job, payload, channel, run);
    for (const provider of deps.router.route(channel, job.countryCallingCode)) {
      const stopTimer = deps.metrics.providerLatency.startTimer({ provider: provider.name });
      try {
        const receipt = await deps.router.send(provider, message, deps.settings.providerTimeoutMs);
        stopTimer({ outcome: 'accepted' });
        deps.metrics.providerCalls.inc({ provider: provider.name, channel, outcome: 'accepted' });
        history.push({ provider: provider.name, at: new Date(), outcome: 'accepted' });
        return { accepted: true, provider: provider.name, receipt, message, history };
      } catch (error) {
        const failure =
          error instanceof ProviderError
            ? error
            : new ProviderError(provider.name, 'retryable', 'unexpected failure', { cause: error });
        const outcome = outcomeOf(failure);
        stopTimer({ outcome });
        deps.metrics.providerCalls.inc({ provider: provider.name, channel, outcome });
        history.push({
          provider: provider.name,
          at: new Date(),
          outcome:
            outcome === 'timeout'
              ? 'timeout'
              : failure.failure === 'retryable'
                ? 'retryable_error'
                : 'permanent_error',
          error: failure.reason,
        });
        failures.push(failure);
      }
    }
    return undefined;
  };

  const retryable = () => failures.some((failure) => failure.failure === 'retryable');
  const result =
    (await tryChannel(job.channel)) ??
    (job.channel === 'sms' && !retryable() && deps.settings.smsFallbackToVoice
      ? await tryChannel('voice')
      : undefined);
  if (result) return result;
  const failed = failures.at(-1);
  return {
    accepted: false,
    retryable: retryable(),
    reason: failed?.reason ?? 'no_provider',
    lastError: failed
      ? maskPhoneNumbersIn(`${failed.provider}: ${failed.message}`).slice(0, 256)
      : `no provider routes ${job.channel} to +${job.countryCallingCode}`,
    ...(failed ? { provider: failed.provider } : {}),
    history,
  };
}

function outcomeOf(error: ProviderError): 'timeout' | 'circuit_open' | 'retryable_error' | 'permanent_error' {
  if (error.reason === 'vendor_timeout') return 'timeout';
  if (error.reason === 'vendor_circuit_open') return 'circuit_open';
  return error.failure === 'retryable' ? 'retryable_error' : 'permanent_error';
}
