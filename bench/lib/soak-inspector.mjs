import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A DevTools-protocol session with a service started with `--inspect=127.0.0.1:0` (the plain-JS twin
 * of test/faults/support/inspector.ts): it forces a full garbage collection before reading the
 * process's memory, so the soak compares what a service really retains minute after minute instead
 * of wherever V8 happened to be in its collection cycle. RSS alone rises and falls by tens of MB with
 * lazy collection, which hides a slow leak and fakes a fast one.
 */
export class InspectorSession {
  constructor(socket) {
    this.socket = socket;
    this.nextId = 1;
    this.pending = new Map();
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data));
      if (message.id !== undefined) this.pending.get(message.id)?.(message);
    });
  }

  /** Finds the debugger URL the service printed to its log file, and connects. */
  static async attach(logFile, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    let url;
    while (!url) {
      url = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(readFileSync(logFile, 'utf8'))?.[0];
      if (url) break;
      if (Date.now() > deadline) throw new Error(`no inspector URL in ${logFile}`);
      await sleep(100);
    }
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`could not connect to ${url}`)), {
        once: true,
      });
    });
    return new InspectorSession(socket);
  }

  async call(method, params = {}) {
    const id = this.nextId++;
    const answer = new Promise((resolve) => this.pending.set(id, resolve));
    this.socket.send(JSON.stringify({ id, method, params }));
    const { result, error } = await answer;
    this.pending.delete(id);
    if (error) throw new Error(`${method} failed: ${JSON.stringify(error)}`);
    return result;
  }

  /** Two full collections (the first can leave weakly held objects to the second), then memoryUsage(). */
  async memoryAfterGc() {
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    const evaluated = await this.call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    return JSON.parse(evaluated.result.value);
  }

  /** A process with a debugger attached waits for it to detach before it exits: close before stopping. */
  close() {
    this.socket.close();
  }
}
