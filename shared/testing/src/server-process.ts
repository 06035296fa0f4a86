import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A server binary (a broker, a database) run by a fault test as its own child, in its own process
 * group, so the test can stop exactly that server, and everything it forked, without touching the
 * shared servers the other test files use.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  /** The last lines the server printed, for the error message when it does not come up. */
  private readonly tail: string[] = [];

  constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly env: Record<string, string>,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  output(): string {
    return this.tail.join('');
  }

  start(): void {
    if (this.running) throw new Error(`${this.command} is already running`);
    const child = spawn(this.command, this.args, {
      env: this.env,
      // Its own process group: a SIGKILL to the group also reaches what the start script forked.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.tail.push(chunk.toString());
      if (this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('error', (error) => this.tail.push(`spawn failed: ${error.message}\n`));
    this.child = child;
  }

  /**
   * Stops the server and waits for it to exit. SIGTERM goes to the process the test started (a start
   * script forwards it and waits for a clean shutdown); SIGKILL goes to its whole process group.
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM', timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.running) return;
    if (signal === 'SIGKILL') process.kill(-child.pid, 'SIGKILL');
    else child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      process.kill(-child.pid, 'SIGKILL');
      await this.exited;
    }
  }

  /** For cleanup: whatever is left of the process group goes, even if the leader already exited. */
  kill(): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  }
}
