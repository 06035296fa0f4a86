import {
  attemptHeaders,
  encodeSendJob,
  type JobAttempt,
  type SealedSendPayload,
  type SendJobFields,
} from '@otpflow/contracts';
import { fraudReporter, fraudSettingsOf, InMemoryFraudStore, SignalFraudGuard } from '@otpflow/fraud';
import { createLogger } from '@otpflow/telemetry';
import { Registry } from 'prom-client';
import { assembleDispatcher, type AssembledDispatcher } from '../../src/assemble-dispatcher.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig, type DispatcherConfig } from '../../src/config.js';
import { MemoryJobSource } from '../../src/consume/memory-job-source.js';
import { MemoryDeliveryStore } from '../../src/delivery/memory-delivery.store.js';
import { MemorySessionLookup } from '../../src/delivery/memory-session-lookup.js';
import { MemoryEventSink } from '../../src/events/event-sink.js';
import type { Provider } from '../../src/providers/provider.js';
import { buildProviders } from '../../src/providers/registry.js';
import { sendJob } from '../fakes/jobs.js';
import { ScriptedProvider } from '../fakes/scripted.provider.js';

export const RECEIPT_SECRET = 'component-receipt-secret';

/** Two providers, by real provider names (config validates the routing), scripted per test. */
const ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
  SMS_PROVIDERS: 'webhook,vonage',
  VOICE_PROVIDERS: 'webhook',
  WEBHOOK_URL: 'http://127.0.0.1:9/unused',
  WEBHOOK_RECEIPT_SECRET: RECEIPT_SECRET,
  VONAGE_API_KEY: 'abcd1234',
  VONAGE_API_SECRET: 'secret-0123',
  VONAGE_FROM: 'CoolApp',
  RETRY_DELAYS_MS: '100,200',
  PROVIDER_TIMEOUT_MS: '500',
  SHUTDOWN_TIMEOUT_MS: '5000',
};

export interface ComponentDispatcher {
  config: DispatcherConfig;
  jobs: MemoryJobSource;
  store: MemoryDeliveryStore;
  sessions: MemorySessionLookup;
  events: MemoryEventSink;
  webhook: ScriptedProvider;
  vonage: ScriptedProvider;
  /** The fraud guard of later workflow steps, over a store its test may fill as a gateway would. */
  fraud: { guard: SignalFraudGuard; store: InMemoryFraudStore };
  dispatcher: AssembledDispatcher;
  /** The pauses the handler took before giving a job back (they resolve at once here). */
  pauses: number[];
  /** Publishes a sealed job as the gateway does; returns its fields and its wire form. */
  publish(
    fields?: Partial<SendJobFields>,
    headers?: Record<string, unknown>,
    secret?: Partial<SealedSendPayload>,
  ): SendJobFields & { body: Buffer };
  /** Headers of a given attempt, signed with the deployment's keys. */
  signed(jobId: string, attempt: JobAttempt): Record<string, string | number>;
  metric(name: string, labels: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export const SECRET: SealedSendPayload = {
  to: '+34612345678',
  text: '482913 is your code',
  code: '482913',
  variables: {},
};

/**
 * The dispatcher wired from its real code (assembleDispatcher: routing, handler, receipts, ops,
 * shutdown) with in-memory ports: a broker, a delivery store, an event sink and scripted providers.
 * No RabbitMQ, no database; a test runs in milliseconds.
 */
export async function startComponentDispatcher(
  env: Record<string, string> = {},
  options: {
    /**
     * `configured`: the real provider modules the environment names (their base URLs pointing at the
     * vendors' local fakes), built by the registry as in production, instead of the scripted ones.
     */
    providers?: 'scripted' | 'configured';
  } = {},
): Promise<ComponentDispatcher> {
  const config = loadConfig({ ...ENV, ...env });
  const logger = createLogger({ service: 'dispatcher', level: 'silent' });
  const jobs = new MemoryJobSource(config.PREFETCH);
  const store = new MemoryDeliveryStore({ leaseMs: config.SEND_LEASE_MS, tombstoneSeconds: 3600 });
  const events = new MemoryEventSink();
  const sessions = new MemorySessionLookup();
  const webhook = new ScriptedProvider('webhook', ['sms', 'voice']);
  const vonage = new ScriptedProvider('vonage', ['sms']);
  const registry = new Registry();
  const pauses: number[] = [];
  const fraudStore = new InMemoryFraudStore();
  const guard = new SignalFraudGuard(
    fraudSettingsOf(config),
    fraudStore,
    logger,
    fraudReporter(events, registry, logger),
  );
  const dispatcher = await assembleDispatcher(
    config,
    {
      jobs,
      store,
      sessions,
      events,
      guard,
      clock: systemClock,
      providers:
        options.providers === 'configured'
          ? buildProviders(config.providerSettings, { logger })
          : new Map<string, Provider>([
              ['webhook', webhook],
              ['vonage', vonage],
            ]),
      registry,
      checks: { store: () => Promise.resolve(store.failWith === undefined) },
      closers: [],
      random: () => 0.5,
      pause: (ms) => {
        pauses.push(ms);
        return Promise.resolve();
      },
    },
    logger,
  );
  return {
    config,
    jobs,
    store,
    sessions,
    events,
    webhook,
    vonage,
    fraud: { guard, store: fraudStore },
    dispatcher,
    pauses,
    publish(fields = {}, headers = {}, secret = {}) {
      const { schema: _schema, sealed: _sealed, ...job } = sendJob(fields);
      const body = encodeSendJob(job, { ...SECRET, ...secret }, config.JOB_ENCRYPTION_KEYS);
      jobs.publish(body, headers);
      return { ...job, body };
    },
    signed: (jobId, attempt) => attemptHeaders(jobId, attempt, config.JOB_ENCRYPTION_KEYS),
    async metric(name, labels) {
      const text = await (await fetch(`${dispatcher.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (candidate) =>
            candidate.startsWith(`${name}{`) &&
            Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)),
        );
      return Number(line?.split(' ').at(-1) ?? 0);
    },
    stop: () => dispatcher.shutdown('test finished'),
  };
}
