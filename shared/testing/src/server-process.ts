import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ServerProcessOptions {
  cwd?: string;
  /**
   * Where its output goes instead of memory: a long run's logs (the bench's, the soak's services), which
   * the parent's event loop then never handles.
   */
  logFile?: string;
  /**
   * A process group of its own (the default): a SIGKILL to the group also reaches what its start
   * script forked. Without one, a Ctrl-C in the terminal reaches it along with the parent.
   */
  processGroup?: boolean;
  /** Keep everything it printed (a test that searches a service's log), not only the last lines. */
  keepAllOutput?: boolean;
}

/**
 * A server binary (a broker, a database, a service) run as a child of its own, so a test or a bench
 * can stop exactly that server, and everything it forked, without touching the shared servers the
 * other test files use.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  /** What the server printed (the last lines, or all with keepAllOutput), in the chunks it came in. */
  private readonly tail: string[] = [];

  constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly env: Record<string, string>,
    private readonly options: ServerProcessOptions = {},
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How it ended: the exit code, or the signal; both null while it runs. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } {
    return { code: this.child?.exitCode ?? null, signal: this.child?.signalCode ?? null };
  }

  /** The chunks it printed, as they came (live: later output is appended). */
  get chunks(): string[] {
    return this.tail;
  }

  output(): string {
    if (!this.options.logFile) return this.tail.join('');
    try {
      return readFileSync(this.options.logFile, 'utf8').slice(-8_000);
    } catch {
      return '';
    }
  }

  start(): void {
    if (this.running) throw new Error(`${this.command} is already running`);
    const { cwd, logFile, processGroup = true } = this.options;
    const fd = logFile ? openSync(logFile, 'a') : undefined;
    let child: ChildProcess;
    try {
      child = spawn(this.command, this.args, {
        cwd,
        env: this.env,
        detached: processGroup,
        stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
      });
    } finally {
      // The child holds its own copy of the descriptor.
      if (fd !== undefined) closeSync(fd);
    }
    const keep = (chunk: Buffer) => {
      this.tail.push(chunk.toString());
      if (!this.options.keepAllOutput && this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('error', (error) => this.tail.push(`spawn failed: ${error.message}\n`));
    this.child = child;
  }

  /**
   * Stops the server and waits for it to exit. SIGTERM goes to the process started (a start script
   * forwards it and waits for a clean shutdown); SIGKILL goes to its whole process group, as it does
   * when the SIGTERM has not ended it within `timeoutMs`.
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM', timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.running) return;
    if (signal === 'SIGKILL') this.killAll(child.pid);
    else child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.killAll(child.pid);
      await this.exited;
    }
  }

  /** For cleanup: whatever is left of the process group goes, even if the leader already exited. */
  kill(): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      this.killAll(pid);
    } catch {
      // The group is already gone.
    }
  }

  /** SIGKILL to the process group, or to the process alone when it has no group of its own. */
  private killAll(pid: number): void {
    if (this.options.processGroup === false) this.child?.kill('SIGKILL');
    else process.kill(-pid, 'SIGKILL');
  }
}
