import {
  declareEventsQueue,
  PROJECTIONS_EVENTS_CONSUMER,
  QueueConsumer,
  type AmqpClient,
  type TopologyOptions,
} from '@otpflow/amqp';
import type { StoreCapabilities } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { Db } from 'mongodb';
import type { Registry } from 'prom-client';
import { MongoProjectionStore } from './mongo-projection.store.js';
import { projectionHandler } from './projection-consumer.js';
import { Projector, type ProjectorSettings } from './projector.js';

export interface ProjectionSettings extends ProjectorSettings {
  prefetch: number;
  requeueDelayMs: number;
}

/**
 * Runs the read-model projector on its own events queue. Every dispatcher replica consumes it: on
 * MongoDB the replicas share the stream (each record by compare-and-set); on a store whose
 * conditional writes are not atomic (FerretDB) the queue takes a single active consumer, so one
 * replica folds at a time and the others stand by. Returns the consumer, to stop on shutdown.
 */
export async function startProjections(
  amqp: AmqpClient,
  topology: TopologyOptions,
  store: { db: Db; capabilities: StoreCapabilities },
  settings: ProjectionSettings,
  observe: { registry: Registry; logger: Logger },
): Promise<QueueConsumer> {
  const projector = new Projector(new MongoProjectionStore(store.db), settings);
  const consumer = new QueueConsumer({
    queue: amqp.names.eventsQueue(PROJECTIONS_EVENTS_CONSUMER),
    prefetch: settings.prefetch,
    handler: projectionHandler(
      projector,
      observe.registry,
      observe.logger,
      (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      settings.requeueDelayMs,
    ),
    logger: observe.logger,
    onCancelled: () => amqp.reconnect('the projections consumer was cancelled'),
  });
  await amqp.onConnect(async (model) => {
    await declareEventsQueue(model, topology, PROJECTIONS_EVENTS_CONSUMER, ['code.#'], {
      singleActiveConsumer: !store.capabilities.atomicConditionalUpdates,
    });
    await consumer.attach(model);
  });
  return consumer;
}
