import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeServer,
  createOpsHandler,
  createShutdown,
  type Shutdown,
  type ShutdownStep,
} from '@otpflow/lifecycle';
import type { FraudGuard } from '@otpflow/fraud';
import { shutdownTracing, type Logger } from '@otpflow/telemetry';
import type { Registry } from 'prom-client';
import type { Clock } from './clock.js';
import type { DispatcherConfig } from './config.js';
import type { JobSource } from './consume/job-source.js';
import { SendJobHandler } from './consume/send-job.handler.js';
import type { DeliveryStore } from './delivery/delivery-store.js';
import type { SessionLookup } from './delivery/session-lookup.js';
import { createDispatcherMetrics, initialiseSeries } from './dispatcher-metrics.js';
import type { EventSink } from './events/event-sink.js';
import { startHttpServer } from './http-server.js';
import type { Provider } from './providers/provider.js';
import { receiptEndpoint } from './receipts/receipt-endpoint.js';
import { ReceiptRecorder } from './receipts/receipt-recorder.js';
import { receiptVerifiers } from './receipts/receipt-verifiers.js';
import { ProviderRouter } from './routing/provider-router.js';
import { StepStarter } from './workflow/step-starter.js';

/** Everything the dispatcher talks to, as ports: real adapters in production, in-memory in tests. */
export interface DispatcherPorts {
  jobs: JobSource;
  store: DeliveryStore;
  /** Whether a code is still pending (the gateway's numbers), read before a later workflow step. */
  sessions: SessionLookup;
  events: EventSink;
  /** The fraud guard later workflow steps pass (started, synced and stopped by the composition root). */
  guard: Pick<FraudGuard, 'assess' | 'withdrawn'>;
  clock: Clock;
  providers: ReadonlyMap<string, Provider>;
  registry: Registry;
  /** /readyz checks of the adapters' dependencies, by name. */
  checks: Record<string, () => Promise<boolean>>;
  /** Closes the adapters (broker, database), in order, once jobs are drained and providers closed. */
  closers: readonly ShutdownStep[];
  random?: () => number;
  /** Waits before a job that could not be moved on is given back (timers, unless a test passes its own). */
  pause?: (ms: number) => Promise<void>;
}

export interface AssembledDispatcher {
  url: string;
  server: Server;
  router: ProviderRouter;
  shutdown: Shutdown;
}

/**
 * The dispatcher, wired from its ports: routing over the providers, the send job handler fed by the
 * job source, delivery receipts and the ops endpoints on one HTTP server, and the one shutdown.
 */
export async function assembleDispatcher(
  config: DispatcherConfig,
  ports: DispatcherPorts,
  logger: Logger,
): Promise<AssembledDispatcher> {
  const metrics = createDispatcherMetrics(ports.registry);
  initialiseSeries(metrics, [...ports.providers.values()]);
  const router = new ProviderRouter(
    ports.providers,
    {
      defaults: { sms: config.SMS_PROVIDERS, voice: config.VOICE_PROVIDERS },
      byCountry: { sms: config.SMS_PROVIDERS_BY_COUNTRY, voice: config.VOICE_PROVIDERS_BY_COUNTRY },
    },
    { failures: config.CIRCUIT_BREAKER_FAILURES, halfOpenAfterMs: config.CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS },
    (provider, state) => {
      metrics.setCircuitState(provider, state);
      if (state !== 'closed') logger.warn({ provider, state }, 'provider circuit changed');
    },
  );
  const handler = new SendJobHandler({
    keys: config.JOB_ENCRYPTION_KEYS,
    store: ports.store,
    sessions: ports.sessions,
    events: ports.events,
    guard: ports.guard,
    metrics,
    logger,
    clock: ports.clock,
    pause: ports.pause ?? ((ms) => sleep(ms).then(() => undefined)),
    random: ports.random ?? Math.random,
    attempts: {
      router,
      settings: { providerTimeoutMs: config.PROVIDER_TIMEOUT_MS },
    },
    policy: {
      maxAttempts: config.MAX_DELIVERY_ATTEMPTS,
      retryTiersMs: config.RETRY_DELAYS_MS,
      random: ports.random ?? Math.random,
      smsFallbackToVoice: config.SMS_FALLBACK_TO_VOICE,
    },
  });
  // Receipts, by HTTP callback or on a provider's own session (SMPP), are recorded the same way.
  const recorder = new ReceiptRecorder({
    store: ports.store,
    steps: new StepStarter(ports.jobs, config.JOB_ENCRYPTION_KEYS),
    events: ports.events,
    metrics,
    logger,
    clock: ports.clock,
  });
  for (const provider of ports.providers.values())
    provider.listenForReceipts?.(async (receipt) => {
      await recorder.record(provider.name, receipt);
    });
  await ports.jobs.start(handler.handle);

  const readiness = { accepting: true };
  const { server, url } = await startHttpServer(
    [
      createOpsHandler({
        registry: ports.registry,
        isAccepting: () => readiness.accepting,
        checks: ports.checks,
      }),
      receiptEndpoint({
        verifiers: receiptVerifiers(config, ports.clock),
        recorder,
        metrics,
        logger,
        publicBaseUrl: config.PUBLIC_BASE_URL,
      }),
    ],
    { port: config.PORT, host: config.HOST },
    logger,
  );
  logger.info(
    { url, sms: config.SMS_PROVIDERS, voice: config.VOICE_PROVIDERS, prefetch: config.PREFETCH },
    'dispatcher running',
  );

  const shutdown = createShutdown(logger, [
    { name: 'turn unready', run: () => void (readiness.accepting = false) },
    { name: 'drain in-flight jobs', run: () => ports.jobs.stop(), timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
    { name: 'close HTTP', run: () => closeServer(server) },
    { name: 'close providers', run: () => router.close() },
    ...ports.closers,
    { name: 'flush telemetry', run: shutdownTracing },
  ]);
  return { url, server, router, shutdown };
}
