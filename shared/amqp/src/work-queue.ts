import type { Channel } from 'amqplib';

/**
 * A work queue with its retry ladder and its dead-letter queue: the shape both the send path and the
 * status callbacks declare (topology.ts, callback-topology.ts), on exchanges they assert themselves.
 *
 *   jobsExchange --routingKey--> queue --(rejected)--> deadExchange --> deadQueue
 *   retryExchange --retryRoutingKey(delay)--> retryQueue(delay) (TTL delay) --> jobsExchange/routingKey
 */
export interface WorkQueueDeclaration {
  queueType: 'quorum' | 'classic';
  jobsExchange: string;
  routingKey: string;
  queue: string;
  retryExchange: string;
  /** Each delay a queue of its own, named after it, so changing the delays never redeclares one. */
  delaysMs: readonly number[];
  retryQueue: (delayMs: number) => string;
  retryRoutingKey: (delayMs: number) => string;
  deadExchange: string;
  deadQueue: string;
}

export async function declareWorkQueue(channel: Channel, declaration: WorkQueueDeclaration): Promise<void> {
  const queueType = { 'x-queue-type': declaration.queueType };
  await channel.assertQueue(declaration.queue, {
    durable: true,
    arguments: { ...queueType, 'x-dead-letter-exchange': declaration.deadExchange },
  });
  await channel.bindQueue(declaration.queue, declaration.jobsExchange, declaration.routingKey);

  for (const delayMs of declaration.delaysMs) {
    const retryQueue = declaration.retryQueue(delayMs);
    await channel.assertQueue(retryQueue, {
      durable: true,
      arguments: {
        ...queueType,
        'x-message-ttl': delayMs,
        'x-dead-letter-exchange': declaration.jobsExchange,
        'x-dead-letter-routing-key': declaration.routingKey,
      },
    });
    await channel.bindQueue(retryQueue, declaration.retryExchange, declaration.retryRoutingKey(delayMs));
  }

  await channel.assertQueue(declaration.deadQueue, { durable: true, arguments: queueType });
  await channel.bindQueue(declaration.deadQueue, declaration.deadExchange, '');
}
