import { randomBytes } from 'node:crypto';
import { DEFAULT_RETRY_DELAYS_MS, type TopologyOptions } from '@otpflow/amqp';
import { inject } from 'vitest';
import { deleteRunTopology, dropDatabase } from './cleanup.js';

/**
 * What one integration test file gets: its own database and its own RabbitMQ name prefix, so test
 * files run in parallel against the same servers without seeing each other; `dispose` drops both.
 */
export interface TestContext {
  /** A MongoDB URL whose database is unique to this context. */
  mongoUrl: string;
  databaseName: string;
  rabbitUrl: string;
  /** The topology to run services with: a unique prefix for every exchange and queue. */
  topology: TopologyOptions;
  /** Also delete these queues (a test's own event consumers, for example) on dispose. */
  alsoDeleteQueues(...queues: string[]): void;
  dispose(): Promise<void>;
}

export function withDatabase(baseUrl: string, databaseName: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

export function createTestContext(
  label = 't',
  options: Partial<Omit<TopologyOptions, 'prefix'>> = {},
): TestContext {
  const id = `${label.replace(/[^a-z0-9]/gi, '').slice(0, 12)}_${randomBytes(4).toString('hex')}`;
  const databaseName = `otpflow_${id}`;
  const topology: TopologyOptions = {
    prefix: `test.${id}`,
    queueType: options.queueType ?? 'quorum',
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
  };
  const rabbitUrl = inject('rabbitUrl');
  const mongoUrl = withDatabase(inject('mongoUrl'), databaseName);
  const extraQueues = new Set<string>();
  return {
    mongoUrl,
    databaseName,
    rabbitUrl,
    topology,
    alsoDeleteQueues: (...queues) => {
      for (const queue of queues) extraQueues.add(queue);
    },
    dispose: async () => {
      await Promise.all([
        dropDatabase(mongoUrl, databaseName),
        deleteRunTopology(rabbitUrl, topology, [...extraQueues]),
      ]);
    },
  };
}
