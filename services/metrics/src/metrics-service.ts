import { createServer, type Server } from 'node:http';
import { AmqpClient, declareEventsQueue, QueueConsumer, topologyFromEnv } from '@otpflow/amqp';
import { closeServer, createOpsHandler, createShutdown, listen, type Shutdown } from '@otpflow/lifecycle';
import { createMetricsRegistry, shutdownTracing, type Logger } from '@otpflow/telemetry';
import type { Registry } from 'prom-client';
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
  const amqp = await AmqpClient.start({
    url: config.RABBITMQ_URL,
    name: 'otpflow-metrics',
    topology,
    logger,
    publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
  });
  const queue = amqp.names.eventsQueue('metrics');
  const consumer = new QueueConsumer({ queue, prefetch: config.PREFETCH, handler: events.handle, logger });
  await amqp.onConnect(async (model) => {
    const channel = await model.createChannel();
    await declareEventsQueue(channel, topology, 'metrics', ['code.#']);
    await channel.close();
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
    { name: 'stop consuming', run: () => consumer.stop(), timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
    { name: 'close HTTP', run: () => closeServer(server) },
    { name: 'close RabbitMQ', run: () => amqp.close() },
    { name: 'flush telemetry', run: shutdownTracing },
  ]);
  return { url: `http://127.0.0.1:${port}`, server, amqp, registry, queue, shutdown };
}
