import { spawn, type ChildProcess } from 'node:child_process';
import { REPOSITORY_ROOT, serviceNodeArgs, type ServiceName } from '@otpflow/testing';

/**
 * A service run from its build output in its own process, as in production, so a test can kill it
 * with SIGKILL. npm test builds before the integration tests run.
 */
export class ChildService {
  private process: ChildProcess | undefined;
  readonly output: string[] = [];

  constructor(
    private readonly service: ServiceName,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts the service as its package's `start` script does: with the telemetry hook loaded first. */
  start(): this {
    const child = spawn(process.execPath, serviceNodeArgs(this.service), {
      cwd: REPOSITORY_ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.process = child;
    return this;
  }

  /** The exit code once the process has exited; undefined while it runs, or when a signal ended it. */
  get exitCode(): number | undefined {
    return this.process?.exitCode ?? undefined;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Sends a signal and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.process;
    // A process that died from a signal has a null exitCode and a signalCode instead.
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }
}
