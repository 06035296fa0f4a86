import type { Channel } from '@otpflow/contracts';
import type { DeliveryAttemptRecord } from '@otpflow/mongo';
import { maskPhoneNumbersIn } from '@otpflow/telemetry';
import type { Clock } from '../clock.js';
import type { DispatcherMetrics, ProviderOutcomeLabel } from '../dispatcher-metrics.js';
import { ProviderError } from '../providers/provider-error.js';
import type { OutboundMessage, ProviderReceipt } from '../providers/provider.js';
import type { ProviderRouter } from '../routing/provider-router.js';
import { outboundMessage } from './outbound-message.js';
import type { OpenedJob } from './outcome.js';

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
      /** The channel the attempt was on (a workflow step's). */
      channel: Channel;
      /** Did any provider fail for a transient reason (so a later attempt may succeed)? */
      retryable: boolean;
      reason: string;
      lastError: string;
      provider?: string;
      history: DeliveryAttemptRecord[];
    };

export interface AttemptSettings {
  providerTimeoutMs: number;
}

export interface AttemptDeps {
  router: ProviderRouter;
  metrics: DispatcherMetrics;
  clock: Clock;
  settings: AttemptSettings;
}

/** A provider call's outcome as the metrics and the delivery history name it. */
function callOutcome(error: ProviderError): ProviderOutcomeLabel {
  if (error.kind === 'timeout' || error.kind === 'circuit_open') return error.kind;
  return error.failure === 'retryable' ? 'retryable_error' : 'permanent_error';
}

/** The delivery history keeps timeouts apart; an open circuit is one more transient failure there. */
function historyOutcome(outcome: ProviderOutcomeLabel): DeliveryAttemptRecord['outcome'] {
  return outcome === 'circuit_open' ? 'retryable_error' : outcome;
}

/**
 * One delivery attempt of a job's workflow step: the channel's route, providers in order until one
 * accepts (failover). The attempt is retryable if any provider failed for a transient reason. Another
 * channel is the workflow's next step (decide.ts), never a second try inside this attempt.
 */
export async function attemptDelivery(
  { job, payload, attempt }: OpenedJob,
  channel: Channel,
  deps: AttemptDeps,
): Promise<AttemptResult> {
  const history: DeliveryAttemptRecord[] = [];
  const failures: ProviderError[] = [];

  const tryProviders = async (): Promise<AttemptResult | undefined> => {
    const message = outboundMessage(job, payload, channel, attempt);
    for (const provider of deps.router.route(channel, job.countryCallingCode)) {
      const stopTimer = deps.metrics.providerLatency.startTimer({ provider: provider.name });
      try {
        const receipt = await deps.router.send(provider, message, deps.settings.providerTimeoutMs);
        stopTimer({ outcome: 'accepted' });
        deps.metrics.providerCalls.inc({ provider: provider.name, channel, outcome: 'accepted' });
        history.push({ provider: provider.name, at: deps.clock.now(), outcome: 'accepted' });
        return { accepted: true, provider: provider.name, receipt, message, history };
      } catch (error) {
        const failure =
          error instanceof ProviderError
            ? error
            : new ProviderError(provider.name, 'unexpected', 'unexpected failure', { cause: error });
        const outcome = callOutcome(failure);
        stopTimer({ outcome });
        deps.metrics.providerCalls.inc({ provider: provider.name, channel, outcome });
        history.push({
          provider: provider.name,
          at: deps.clock.now(),
          outcome: historyOutcome(outcome),
          error: failure.reason,
        });
        failures.push(failure);
      }
    }
    return undefined;
  };

  const result = await tryProviders();
  if (result) return result;
  const failed = failures.at(-1);
  return {
    accepted: false,
    channel,
    retryable: failures.some((failure) => failure.failure === 'retryable'),
    reason: failed?.reason ?? 'no_provider',
    lastError: failed
      ? maskPhoneNumbersIn(`${failed.provider}: ${failed.message}`).slice(0, 256)
      : `no provider routes ${channel} to +${job.countryCallingCode}`,
    ...(failed ? { provider: failed.provider } : {}),
    history,
  };
}
