import { waitFor } from './wait-for.js';

export interface MemoryAfterGc {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

/**
 * A DevTools-protocol session with a child Node process started with `--inspect=127.0.0.1:0`: it can
 * force a full garbage collection in the child before reading its memory, so a memory check (a fault
 * test's, the soak's every minute) compares what is really retained instead of wherever V8 happened to
 * be in its GC cycle. RSS alone rises and falls by tens of MB with lazy collection, which hides a slow
 * leak and fakes a fast one.
 */
export class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event: MessageEvent) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown };
      if (message.id !== undefined) this.pending.get(message.id)?.(message);
    });
  }

  /** Finds the child's debugger URL in what it printed (its output so far, or its log file), and connects. */
  static async attach(output: () => string): Promise<InspectorSession> {
    const url = await waitFor(() => /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(output())?.[0], {
      timeoutMs: 15_000,
      what: 'the child to print its inspector URL',
    });
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`could not connect to ${url}`)), {
        once: true,
      });
    });
    return new InspectorSession(socket);
  }

  async call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    const answer = new Promise<{ result?: unknown; error?: unknown }>((resolve) =>
      this.pending.set(id, resolve),
    );
    this.socket.send(JSON.stringify({ id, method, params }));
    const { result, error } = await answer;
    this.pending.delete(id);
    if (error) throw new Error(`${method} failed: ${JSON.stringify(error)}`);
    return result;
  }

  /** Full GC (twice: the first can leave weakly held objects for the second), then the child's memory. */
  async memoryAfterGc(): Promise<MemoryAfterGc> {
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    const evaluated = (await this.call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result: { value: string } };
    return JSON.parse(evaluated.result.value) as MemoryAfterGc;
  }

  /** A process with a debugger attached waits for it to detach before it exits: close before stopping. */
  close(): void {
    this.socket.close();
  }
}
