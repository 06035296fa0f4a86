import { Counter, Histogram, type Registry } from 'prom-client';

export type CallbackAttemptOutcome = 'delivered' | 'retryable' | 'permanent' | 'refused';
export type CallbackFate = 'delivered' | 'retried' | 'dead_lettered' | 'deferred' | 'rejected';

/**
 * Per endpoint (its id: a tenant registers at most MAX_ENDPOINTS_PER_CLIENT, so the series are
 * bounded), never by URL. The label is `endpoint_id`: the Prometheus Operator sets a target label
 * `endpoint` (the port's name) that would rename ours to `exported_endpoint`. Attempts by outcome, the POST's latency, and where each job went; the delay
 * from the event to a delivered callback says what a tenant experiences end to end.
 */
export class CallbackMetrics {
  private readonly attempts: Counter<'client' | 'endpoint_id' | 'outcome'>;
  private readonly latency: Histogram<'client' | 'endpoint_id'>;
  private readonly fates: Counter<'fate'>;
  private readonly deadLetters: Counter<'client' | 'endpoint_id' | 'reason'>;
  private readonly delay: Histogram;
  private readonly fannedOut: Counter<'type'>;

  constructor(registry: Registry) {
    this.attempts = new Counter({
      name: 'otpflow_callback_attempts_total',
      help: 'POSTs to tenant callback endpoints, by endpoint and outcome (delivered, retryable, permanent; refused: an internal address, never sent).',
      labelNames: ['client', 'endpoint_id', 'outcome'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'otpflow_callback_request_duration_seconds',
      help: 'How long a tenant endpoint took to answer a callback POST (timeouts included).',
      labelNames: ['client', 'endpoint_id'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.fates = new Counter({
      name: 'otpflow_callback_jobs_total',
      help: 'Callback jobs handled, by what became of them.',
      labelNames: ['fate'],
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'otpflow_callback_dead_lettered_total',
      help: 'Callbacks given up for good (to the callbacks dead-letter queue), by endpoint and reason.',
      labelNames: ['client', 'endpoint_id', 'reason'],
      registers: [registry],
    });
    this.delay = new Histogram({
      name: 'otpflow_callback_delay_seconds',
      help: 'From the event to its callback delivered to the endpoint, retries included.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800],
      registers: [registry],
    });
    this.fannedOut = new Counter({
      name: 'otpflow_callback_fanout_total',
      help: 'Callback jobs queued from events, by callback type.',
      labelNames: ['type'],
      registers: [registry],
    });
    for (const fate of ['delivered', 'retried', 'dead_lettered', 'deferred', 'rejected'] as const)
      this.fates.inc({ fate }, 0);
  }

  attempt(client: string, endpoint: string, outcome: CallbackAttemptOutcome, seconds: number): void {
    this.attempts.inc({ client, endpoint_id: endpoint, outcome });
    // A refused callback never reached the endpoint: it has no answer time to count.
    if (outcome !== 'refused') this.latency.observe({ client, endpoint_id: endpoint }, seconds);
  }

  fate(fate: CallbackFate): void {
    this.fates.inc({ fate });
  }

  /** A callback dead-lettered: its endpoint's, beside the fate every job has. */
  deadLettered(client: string, endpoint: string, reason: string): void {
    this.fates.inc({ fate: 'dead_lettered' });
    this.deadLetters.inc({ client, endpoint_id: endpoint, reason });
  }

  delivered(delaySeconds: number): void {
    this.delay.observe(Math.max(0, delaySeconds));
  }

  queued(type: string, count: number): void {
    this.fannedOut.inc({ type }, count);
  }
}
