import type { Channel, ChannelModel, ConfirmChannel, GetMessage } from 'amqplib';

/** What a replay did with one dead letter; `kept` ones were not asked for and stay in the queue. */
export interface ReplayOutcome<Dropped extends string = string> {
  jobId: string;
  outcome: 'replayed' | 'kept' | Dropped;
}

/**
 * What one dead-letter queue's letters are and how they go back: the send path's (`otp.send.dead`)
 * and the callbacks' (`otp.callbacks.dead`) differ only in these.
 */
export interface DeadLetterKind<Letter extends { jobId: string }, Dropped extends string> {
  queue: string;
  /** What an operator sees of a letter: its headers and whatever of its body is plaintext. */
  describe(message: GetMessage): Letter;
  /**
   * Puts the letter back to work on `channel` (the publish confirmed before it resolves), or says
   * why replaying it would do no good and it is dropped instead.
   */
  replay(channel: ConfirmChannel, message: GetMessage, letter: Letter): Promise<'replayed' | Dropped>;
}

/**
 * Operations on a dead-letter queue. Messages are taken with basic.get and left unacknowledged
 * while looked at; closing the channel returns whatever was not acted on to the queue, in order.
 */
export class DeadLetters<Letter extends { jobId: string }, Dropped extends string> {
  constructor(
    private readonly connection: ChannelModel,
    private readonly kind: DeadLetterKind<Letter, Dropped>,
  ) {}

  private async take(channel: Channel, limit: number): Promise<GetMessage[]> {
    const messages: GetMessage[] = [];
    while (messages.length < limit) {
      const message = await channel.get(this.kind.queue, { noAck: false });
      if (!message) break;
      messages.push(message);
    }
    return messages;
  }

  async list(limit: number): Promise<Letter[]> {
    const channel = await this.connection.createChannel();
    try {
      return (await this.take(channel, limit)).map((message) => this.kind.describe(message));
    } finally {
      await channel.close();
    }
  }

  /** Replays the letters (all of them, or those of the given job ids), each acked once it is moved on. */
  async replay(options: { jobIds?: readonly string[]; limit: number }): Promise<ReplayOutcome<Dropped>[]> {
    const channel = await this.connection.createConfirmChannel();
    const outcomes: ReplayOutcome<Dropped>[] = [];
    try {
      for (const message of await this.take(channel, options.limit)) {
        const letter = this.kind.describe(message);
        if (options.jobIds && !options.jobIds.includes(letter.jobId)) {
          outcomes.push({ jobId: letter.jobId, outcome: 'kept' });
          continue;
        }
        outcomes.push({ jobId: letter.jobId, outcome: await this.kind.replay(channel, message, letter) });
        channel.ack(message);
      }
      return outcomes;
    } finally {
      await channel.close();
    }
  }

  async purge(): Promise<number> {
    const channel = await this.connection.createChannel();
    try {
      return (await channel.purgeQueue(this.kind.queue)).messageCount;
    } finally {
      await channel.close();
    }
  }
}
