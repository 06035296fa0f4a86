export { AmqpClient, NotPublishedError } from './amqp-client.js';
export type { AmqpClientOptions, ConnectHook, PublishOptions } from './amqp-client.js';
export { BrokerConnection, connectToAnyNode } from './broker-connection.js';
export type { BrokerConnectionOptions } from './broker-connection.js';
export { credentialsOf, endpointLabel, vhostOf } from './broker-settings.js';
export type { BrokerSettings, BrokerTls } from './broker-settings.js';
export { QueueConsumer } from './queue-consumer.js';
export type { MessageHandler, QueueConsumerOptions } from './queue-consumer.js';
export {
  DEFAULT_RETRY_DELAYS_MS,
  WORKFLOW_STEP_DELAYS_MS,
  declareEventsQueue,
  declareTopology,
  delayTiersMs,
  stepTierMs,
  PROJECTIONS_EVENTS_CONSUMER,
  topologyNames,
} from './topology.js';
export type { EventsQueue, TopologyNames, TopologyOptions } from './topology.js';
export { EventPublisher } from './event-publisher.js';
export {
  amqpClientOptionsFromEnv,
  amqpEnvShape,
  brokerSettingsFromEnv,
  managementApiFromEnv,
  topologyFromEnv,
  withAmqpChecks,
} from './amqp-env.js';
export type { AmqpEnv } from './amqp-env.js';
export { ManagementApi, ManagementApiError } from './management-api.js';
export type { ManagementApiOptions, QueueInfo, StoredPolicy } from './management-api.js';
export {
  DEFAULT_DEAD_LETTER_TTL_MS,
  QUEUE_POLICIES,
  brokerMajor,
  keysThatMustBeUnset,
  policyDifferences,
  queuePolicies,
} from './queue-policies.js';
export type { QueuePolicy, QueuePolicyOptions, QueuePolicyRole } from './queue-policies.js';
export { POLICY_MODES, POLICY_STATES, QueuePolicyError, QueuePolicyGuard } from './policy-guard.js';
export type { PolicyMode, PolicyState, QueuePolicyGuardOptions } from './policy-guard.js';
export { nodeOrder, reconnectDelayMs } from './reconnect.js';
export type { Backoff } from './reconnect.js';
export { callbackTopologyNames, declareCallbackTopology } from './callback-topology.js';
export type { CallbackTopologyNames } from './callback-topology.js';
