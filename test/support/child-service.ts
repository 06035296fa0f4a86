import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A service run from its build output in its own process, as in production, so a test can kill it
 * with SIGKILL. npm test builds before the integration tests run.
 */
export class ChildService {
  private process: ChildProcess | undefined;
  readonly output: string[] = [];

  constructor(
    private readonly service: 'gateway' | 'dispatcher' | 'metrics',
    private readonly env: Record<string, string>,
  ) {}

  /** Starts the service as its package's `start` script does: with the telemetry hook loaded first. */
  start(): this {
    const args = [
      '--enable-source-maps',
      '--import',
      '@otpflow/telemetry/register',
      `services/${this.service}/dist/main.js`,
    ];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
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
