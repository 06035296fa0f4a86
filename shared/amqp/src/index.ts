export { AmqpClient } from './amqp-client.js';
export type { AmqpClientOptions, ConnectHook, PublishOptions } from './amqp-client.js';
export { QueueConsumer } from './queue-consumer.js';
export type { MessageHandler, QueueConsumerOptions } from './queue-consumer.js';
export { DEFAULT_RETRY_DELAYS_MS, declareEventsQueue, declareTopology, topologyNames } from './topology.js';
export type { TopologyNames, TopologyOptions } from './topology.js';
export { EventPublisher } from './event-publisher.js';
export { amqpEnvShape, topologyFromEnv } from './amqp-env.js';
export type { AmqpEnv } from './amqp-env.js';
