import {
  createTestContext,
  deleteRunTopology,
  dropDatabase,
  withDatabase,
  type TestContext,
} from '@otpflow/testing';

/**
 * A test context whose database or broker (or both) is a server of the test's own. Cleanup touches
 * only what lives on the shared servers: a dedicated server's data goes with its temporary folder,
 * and the shared servers never see a request for something they do not hold (a hung or busy shared
 * server must not make a fault test's cleanup hang, nor the reverse).
 */
export function faultContext(
  label: string,
  servers: { mongoBaseUrl?: string; rabbitUrl?: string },
  options: { retryDelaysMs?: number[] } = {},
): TestContext {
  const base = createTestContext(label, options);
  const mongoUrl = servers.mongoBaseUrl
    ? withDatabase(servers.mongoBaseUrl, base.databaseName)
    : base.mongoUrl;
  const rabbitUrl = servers.rabbitUrl ?? base.rabbitUrl;
  const extraQueues = new Set<string>();
  return {
    ...base,
    mongoUrl,
    rabbitUrl,
    alsoDeleteQueues: (...queues) => {
      for (const queue of queues) extraQueues.add(queue);
    },
    dispose: async () => {
      await Promise.all([
        servers.mongoBaseUrl ? undefined : dropDatabase(mongoUrl, base.databaseName),
        servers.rabbitUrl ? undefined : deleteRunTopology(rabbitUrl, base.topology, [...extraQueues]),
      ]);
    },
  };
}
