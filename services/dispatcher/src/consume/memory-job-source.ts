import type { DeadLetterMove, JobHandler, JobSource, ReceivedJob, RetryMove } from './job-source.js';

/** A message as the in-memory broker keeps it. */
export interface MemoryMessage {
  body: Buffer;
  headers: Record<string, unknown>;
}

/** How the last delivery of a message was settled. */
export type Settlement = 'acked' | 'requeued' | 'rejected';

/**
 * The broker, in memory, as far as the dispatcher uses it: a work queue delivered to the handler at
 * most `prefetch` at a time, retry tiers that bring a message back after its delay, a dead-letter
 * queue (our dead letters, and rejected messages as the queue's own dead-lettering would), and a
 * requeue that delivers again. For component tests of the dispatcher: real handler, no RabbitMQ.
 */
export class MemoryJobSource implements JobSource {
  readonly deadLetters: MemoryMessage[] = [];
  readonly settlements: Settlement[] = [];
  /** Handler mistakes the real broker would punish: a message settled twice, or never. */
  readonly faults: string[] = [];
  private readonly queue: MemoryMessage[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Messages waiting in a delay tier, by their timer, with the delay they wait. */
  private readonly timers = new Map<NodeJS.Timeout, { delayMs: number; message: MemoryMessage }>();
  private handler: JobHandler | undefined;
  private stopped = false;
  /** Moves (to a retry tier or the dead letters) still to refuse, as a broker in trouble does. */
  private movesToRefuse = 0;

  constructor(private readonly prefetch = 8) {}

  get connected(): boolean {
    return !this.stopped;
  }

  /** What a publisher (the gateway) puts on the work queue. */
  publish(body: Buffer, headers: Record<string, unknown> = {}): void {
    this.queue.push({ body, headers });
    this.pump();
  }

  enqueue(body: Buffer, headers: Record<string, string | number>): Promise<void> {
    if (this.refused()) return Promise.reject(new Error('the work queue did not confirm'));
    this.publish(body, headers);
    return Promise.resolve();
  }

  start(handler: JobHandler): Promise<void> {
    this.handler = handler;
    this.pump();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Resolves once nothing is queued, in flight or waiting in a retry tier; messages waiting
   * `ignoreFromMs` or longer (a workflow step's timer) are left waiting.
   */
  async idle(ignoreFromMs = Number.POSITIVE_INFINITY): Promise<void> {
    const waiting = () => [...this.timers.values()].some(({ delayMs }) => delayMs < ignoreFromMs);
    while (this.queue.length > 0 || this.inFlight.size > 0 || waiting()) {
      await Promise.race([...this.inFlight, new Promise((resolve) => setTimeout(resolve, 5))]);
    }
  }

  /** The delays of the messages waiting in a tier now. */
  get delays(): number[] {
    return [...this.timers.values()].map(({ delayMs }) => delayMs);
  }

  /** Every message waiting in a tier comes back now, as if its TTL had run out. */
  expireDelays(): void {
    for (const [timer, { message }] of this.timers) {
      clearTimeout(timer);
      this.timers.delete(timer);
      this.queue.push(message);
    }
    this.pump();
  }

  /** The next `count` moves fail (not confirmed), as when a retry tier is electing a leader. */
  refuseMoves(count: number): void {
    this.movesToRefuse = count;
  }

  private refused(): boolean {
    if (this.movesToRefuse <= 0) return false;
    this.movesToRefuse -= 1;
    return true;
  }

  /** Messages waiting in the work queue (not delivered yet). */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.handler && !this.stopped && this.inFlight.size < this.prefetch) {
      const message = this.queue.shift();
      if (!message) return;
      const work = this.deliver(this.handler, message);
      this.inFlight.add(work);
      void work.finally(() => {
        this.inFlight.delete(work);
        this.pump();
      });
    }
  }

  private async deliver(handler: JobHandler, message: MemoryMessage): Promise<void> {
    const state = { settled: false };
    const settle = (how: Settlement, then?: () => void) => {
      if (state.settled) {
        this.faults.push(`settled twice (${how})`);
        return;
      }
      state.settled = true;
      this.settlements.push(how);
      then?.();
    };
    const received: ReceivedJob = {
      body: message.body,
      headers: message.headers,
      ack: () => settle('acked'),
      // A quorum queue counts the deliveries of a message it gets back, in x-delivery-count.
      requeue: () => settle('requeued', () => this.queue.push(redelivered(message))),
      reject: () => settle('rejected', () => this.deadLetters.push(message)),
      retry: (move: RetryMove) => {
        if (this.refused()) return Promise.reject(new Error('the retry tier did not confirm'));
        this.later(move.delayMs, { body: message.body, headers: { ...message.headers, ...move.headers } });
        return Promise.resolve();
      },
      deadLetter: (move: DeadLetterMove) => {
        if (this.refused()) return Promise.reject(new Error('the dead-letter queue did not confirm'));
        this.deadLetters.push({ body: message.body, headers: { ...message.headers, ...move.headers } });
        return Promise.resolve();
      },
    };
    try {
      await handler(received);
    } catch {
      // As the real consumer does with a handler that throws: dead-letter, never a hot redelivery loop.
      if (!state.settled) received.reject();
    }
    if (!state.settled) this.faults.push('returned without settling its message');
  }

  private later(delayMs: number, message: MemoryMessage): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.queue.push(message);
      this.pump();
    }, delayMs);
    this.timers.set(timer, { delayMs, message });
  }
}

function redelivered(message: MemoryMessage): MemoryMessage {
  const count = message.headers['x-delivery-count'];
  return {
    body: message.body,
    headers: { ...message.headers, 'x-delivery-count': (typeof count === 'number' ? count : 0) + 1 },
  };
}
