import { randomUUID } from 'node:crypto';
import {
  EVENT_SCHEMA,
  jobKeysSchema,
  sealWebhookSecret,
  type CallbackEventType,
  type CallbackJob,
  type OtpEvent,
} from '@otpflow/contracts';
import { createLogger } from '@otpflow/telemetry';
import { Registry } from 'prom-client';
import { CallbackFanout } from '../../../src/callbacks/callback-fanout.js';
import { CallbackMetrics } from '../../../src/callbacks/callback-metrics.js';
import type { ResolveHost } from '../../../src/callbacks/callback-egress.js';
import { CallbackSender } from '../../../src/callbacks/callback-sender.js';
import { CallbackWorker, type ReceivedCallback } from '../../../src/callbacks/callback-worker.js';
import { FakeHttpServer, type CannedResponse } from '../../fakes/fake-http-server.js';

export const keys = jobKeysSchema.parse(`k1:${Buffer.alloc(32, 9).toString('base64')}`);
const logger = createLogger({ service: 'dispatcher', level: 'silent' });
export const SECRET = `whsec_${Buffer.alloc(24, 5).toString('base64')}`;

export interface Endpoint {
  endpointId: string;
  clientId: string;
  url: string;
  events: CallbackEventType[];
  sealedSecret: string;
}

/** A settled in-memory callback job: how the worker left it. */
export class MemoryCallback implements ReceivedCallback {
  settled: 'ack' | 'requeue' | undefined;
  moved: { to: 'retry'; attempt: number; tierMs: number } | { to: 'dead'; reason: string } | undefined;
  /** What the dead letter's header would say went wrong last. */
  lastError: string | undefined;
  constructor(
    readonly body: Buffer,
    readonly attempt = 1,
    private readonly refuseMoves = false,
  ) {}
  ack(): void {
    this.settled = 'ack';
  }
  requeue(): void {
    this.settled = 'requeue';
  }
  retry(move: { tierMs: number; attempt: number }): Promise<void> {
    if (this.refuseMoves) return Promise.reject(new Error('broker refused'));
    this.moved = { to: 'retry', attempt: move.attempt, tierMs: move.tierMs };
    return Promise.resolve();
  }
  deadLetter(move: { reason: string; lastError: string }): Promise<void> {
    this.moved = { to: 'dead', reason: move.reason };
    this.lastError = move.lastError;
    return Promise.resolve();
  }
}

const servers: FakeHttpServer[] = [];
const senders: CallbackSender[] = [];
/** Closes what the test opened: run it after each test. */
export async function closeAll(): Promise<void> {
  await Promise.all(senders.splice(0).map((sender) => sender.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
}

export async function endpointServer(responder: (index: number) => CannedResponse | Promise<CannedResponse>) {
  let index = 0;
  const server = await new FakeHttpServer(() => responder(index++)).start();
  servers.push(server);
  return server;
}

export function endpointAt(url: string, events: CallbackEventType[], clientId = 'tenant-a'): Endpoint {
  const endpointId = `ep_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return {
    endpointId,
    clientId,
    url,
    events,
    sealedSecret: sealWebhookSecret(SECRET, keys, { clientId, endpointId }),
  };
}

export function event(type: string, extra: Partial<OtpEvent> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      schema: EVENT_SCHEMA,
      eventId: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      authenticationId: randomUUID(),
      clientId: 'tenant-a',
      channel: 'sms',
      countryCallingCode: '34',
      requestedAt: new Date().toISOString(),
      ...extra,
    }),
  );
}

/** The callbacks wired from their real code, with the endpoints and the queue in memory. */
export interface WireSettings {
  timeoutMs?: number;
  perEndpointConcurrency?: number;
  /** CALLBACK_ALLOW_PRIVATE_ADDRESSES; on by default, as the endpoints listen on 127.0.0.1. */
  allowPrivateAddresses?: boolean;
  resolve?: ResolveHost;
  /** A CA to trust beyond Node's (a test's own). */
  ca?: string;
}

export function wire(endpoints: Endpoint[], settings: WireSettings = {}) {
  const registry = new Registry();
  const metrics = new CallbackMetrics(registry);
  const queued: CallbackJob[] = [];
  const fanout = new CallbackFanout({
    endpoints: {
      subscribers: (clientId, type) =>
        Promise.resolve(endpoints.filter((e) => e.clientId === clientId && e.events.includes(type))),
    },
    enqueue: (job) => {
      queued.push(job);
      return Promise.resolve();
    },
    metrics,
    logger,
  });
  const sender = new CallbackSender({
    timeoutMs: settings.timeoutMs ?? 2_000,
    allowPrivateAddresses: settings.allowPrivateAddresses ?? true,
    ...(settings.resolve ? { resolve: settings.resolve } : {}),
    ...(settings.ca ? { tls: { ca: settings.ca } } : {}),
  });
  senders.push(sender);
  const worker = new CallbackWorker({
    post: sender.send,
    keys,
    maxAttempts: 3,
    tiersMs: [100, 200],
    perEndpointConcurrency: settings.perEndpointConcurrency ?? 4,
    metrics,
    logger,
    random: () => 0.5,
  });
  /** Runs a job through the worker until it is delivered or dead-lettered, as the retry tiers would. */
  const deliver = async (job: CallbackJob) => {
    const history: MemoryCallback[] = [];
    let attempt = 1;
    for (;;) {
      const received = new MemoryCallback(Buffer.from(JSON.stringify(job)), attempt);
      await worker.handle(received);
      history.push(received);
      if (received.moved?.to !== 'retry') return history;
      attempt = received.moved.attempt;
    }
  };
  return { registry, fanout, worker, queued, deliver };
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}
