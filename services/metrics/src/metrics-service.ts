import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AmqpClient,
  amqpClientOptionsFromEnv,
  declareEventsQueue,
  QueueConsumer,
  topologyFromEnv,
} from '@otpflow/amqp';
import { closeServer, createOpsHandler, createShutdown, listen, type Shutdown } from '@otpflow/lifecycle';
import { createMetricsRegistry, shutdownTracing, type Logger } from '@otpflow/telemetry';
import { Gauge, type Registry } from 'prom-client';
import { createBusinessMetrics } from './business-metrics.js';
import type { MetricsConfig } from './config.js';
import { EventConsumer } from './event-consumer.js';
import { LabelLimiter } from './label-limiter.js';

export interface RunningMetricsService {
  url: string;
  server: Server;
  amqp: AmqpClient;
  registry: Registry;
  queue: string;
  shutdown: Shutdown;
}

/** The metrics service: the events stream in, Prometheus metrics out. */
export async function startMetricsService(
  config: MetricsConfig,
  logger: Logger,
): Promise<RunningMetricsService> {
  const registry = createMetricsRegistry();
  const record = createBusinessMetrics(
    registry,
    new LabelLimiter(config.METRICS_CLIENTS, config.CLIENT_LABEL_LIMIT),
  );
  const events = new EventConsumer(record, registry, logger, {
    size: config.DEDUP_WINDOW_SIZE,
    seconds: config.DEDUP_WINDOW_SECONDS,
  });

  const topology = topologyFromEnv(config);
  const amqp = await AmqpClient.start(
    amqpClientOptionsFromEnv(config, { name: 'otpflow-metrics', logger, registry }),
  );
  const queue = amqp.names.eventsQueue('metrics');
  const consumer = new QueueConsumer({
    queue,
    prefetch: config.PREFETCH,
    handler: events.handle,
    logger,
    onCancelled: () => amqp.reconnect('the events consumer was cancelled'),
  });
  const exclusive = new Gauge({
    name: 'otpflow_metrics_single_active_consumer',
    help: 'Whether the events queue has a single active consumer (1), so replicas of the metrics service take turns; 0: a queue from an older release, where two replicas would each count part of the events.',
    registers: [registry],
  });
  await amqp.onConnect(async (model) => {
    // Every replica subscribes; RabbitMQ delivers to one, the others are hot standbys. The events
    // are de-duplicated in memory, so two active consumers would each count part of the stream.
    const declared = await declareEventsQueue(model, topology, 'metrics', ['code.#', 'fraud.#'], {
      singleActiveConsumer: true,
    });
    exclusive.set(declared.singleActiveConsumer ? 1 : 0);
    if (!declared.singleActiveConsumer)
      logger.error(
        { queue },
        'the events queue predates single-active-consumer: run one metrics replica until it is re-created (docs/deployment.md)',
      );
    await consumer.attach(model);
  });

  let accepting = true;
  const ops = createOpsHandler({
    registry,
    isAccepting: () => accepting,
    checks: { rabbitmq: () => Promise.resolve(amqp.connected) },
  });
  const server = createServer((request, response) => {
    void ops(request, response).then((handled) => {
      if (handled) return;
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ status: 404, code: 'NOT_FOUND', message: 'The specified resource is not found.' }),
      );
    });
  });
  const port = await listen(server, config.PORT, config.HOST);
  logger.info({ port, queue }, 'metrics service running');

  const shutdown = createShutdown(logger, [
    { name: 'turn unready', run: () => void (accepting = false) },
    // Cancelling the subscription hands the stream to the standby replica at once...
    { name: 'stop consuming', run: () => consumer.stop(), timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
    // ...while this one's counts stay on /metrics for one more scrape: what it counted is not lost.
    {
      name: 'serve the final counts',
      run: () => sleep(config.SHUTDOWN_GRACE_MS),
      timeoutMs: config.SHUTDOWN_GRACE_MS + 1_000,
    },
    { name: 'close HTTP', run: () => closeServer(server) },
    { name: 'close RabbitMQ', run: () => amqp.close() },
    { name: 'flush telemetry', run: shutdownTracing },
  ]);
  return { url: `http://127.0.0.1:${port}`, server, amqp, registry, queue, shutdown };
}
