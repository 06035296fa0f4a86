import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CircuitStateName } from './routing/provider-router.js';

const CIRCUIT_VALUES: Record<CircuitStateName, number> = { closed: 0, half_open: 1, open: 2, isolated: 3 };

/**
 * The dispatcher's own metrics. Labels are bounded: provider names come from configuration, outcomes
 * and reasons from closed sets, channels from the contract. Never a number, a code or an id.
 */
export function createDispatcherMetrics(registry: Registry) {
  return {
    inFlight: new Gauge({
      name: 'otpflow_dispatcher_jobs_in_flight',
      help: 'Send jobs being handled right now.',
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'otpflow_dispatcher_jobs_total',
      help: 'Send jobs handled, by outcome (sent, retried, dead_lettered, expired, duplicate, deferred, test, malformed).',
      labelNames: ['outcome', 'channel'] as const,
      registers: [registry],
    }),
    providerCalls: new Counter({
      name: 'otpflow_provider_requests_total',
      help: 'Provider calls by provider, channel and outcome (accepted, retryable_error, permanent_error, timeout, circuit_open).',
      labelNames: ['provider', 'channel', 'outcome'] as const,
      registers: [registry],
    }),
    providerLatency: new Histogram({
      name: 'otpflow_provider_request_duration_seconds',
      help: 'Provider call latency by provider and outcome.',
      labelNames: ['provider', 'outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'otpflow_dispatcher_retries_total',
      help: 'Jobs sent back to a retry queue, by the delay tier.',
      labelNames: ['tier'] as const,
      registers: [registry],
    }),
    circuitState: new Gauge({
      name: 'otpflow_provider_circuit_state',
      help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open, 3 isolated.',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    queueLag: new Histogram({
      name: 'otpflow_dispatcher_queue_lag_seconds',
      help: 'Time from the code request to the moment the dispatcher took the job (first attempts only).',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    receipts: new Counter({
      name: 'otpflow_delivery_receipts_total',
      help: 'Delivery receipts received, by provider and outcome (delivered, undelivered, pending, ignored, unknown_message, rejected).',
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),
    setCircuitState(provider: string, state: CircuitStateName): void {
      this.circuitState.set({ provider }, CIRCUIT_VALUES[state]);
    },
  };
}

/** The `outcome` label of otpflow_dispatcher_jobs_total: one per handling outcome (`malformed`: rejected). */
export const JOB_OUTCOMES = [
  'sent',
  'retried',
  'dead_lettered',
  'expired',
  'duplicate',
  'deferred',
  'test',
  'malformed',
  'next_step',
  'step_canceled',
  'step_refused',
] as const;
export type JobOutcomeLabel = (typeof JOB_OUTCOMES)[number];

/** The `outcome` label of the provider call metrics. */
export const PROVIDER_OUTCOMES = [
  'accepted',
  'retryable_error',
  'permanent_error',
  'timeout',
  'circuit_open',
] as const;
export type ProviderOutcomeLabel = (typeof PROVIDER_OUTCOMES)[number];

/**
 * Starts every series of the closed outcome sets at zero, so `rate()` sees the first increment and a
 * dashboard shows a real zero rather than "no data" until something happens.
 */
export function initialiseSeries(
  metrics: DispatcherMetrics,
  providers: readonly { name: string; channels: readonly string[] }[],
): void {
  for (const channel of ['sms', 'voice'])
    for (const outcome of JOB_OUTCOMES) metrics.jobs.inc({ outcome, channel }, 0);
  for (const provider of providers) {
    for (const channel of provider.channels) {
      for (const outcome of PROVIDER_OUTCOMES)
        metrics.providerCalls.inc({ provider: provider.name, channel, outcome }, 0);
    }
  }
}

export type DispatcherMetrics = ReturnType<typeof createDispatcherMetrics>;
