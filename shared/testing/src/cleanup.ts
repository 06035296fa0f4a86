import type { TopologyOptions } from '@otpflow/amqp';
import { connect as amqpConnect } from 'amqplib';
import { MongoClient } from 'mongodb';
import { deleteTopology, runTopology } from './topology.js';

/** Drops a test's database. */
export async function dropDatabase(mongoUrl: string, databaseName: string): Promise<void> {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.db(databaseName).dropDatabase();
  } finally {
    await client.close();
  }
}

/** Deletes what services declared under a test topology (and the test's own queues). */
export async function deleteRunTopology(
  rabbitUrl: string,
  topology: TopologyOptions,
  extraQueues: string[],
): Promise<void> {
  const connection = await amqpConnect(rabbitUrl);
  try {
    await deleteTopology(
      connection,
      runTopology(topology.prefix, { retryDelaysMs: topology.retryDelaysMs, extraQueues }),
    );
  } finally {
    await connection.close();
  }
}
