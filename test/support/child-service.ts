import { REPOSITORY_ROOT, ServerProcess, serviceNodeArgs, type ServiceName } from '@otpflow/testing';

/**
 * A service run from its build output in its own process, as in production (the harness's service
 * command line and ServerProcess), so a test can kill it with SIGKILL and search everything it logged.
 * npm test builds before the integration tests run.
 */
export class ChildService {
  private readonly server: ServerProcess;

  constructor(service: ServiceName, env: Record<string, string>) {
    this.server = new ServerProcess(
      process.execPath,
      serviceNodeArgs(service),
      { PATH: process.env.PATH ?? '', ...env },
      { cwd: REPOSITORY_ROOT, processGroup: false, keepAllOutput: true },
    );
  }

  /** Everything the service printed so far, in the chunks it came in. */
  get output(): string[] {
    return this.server.chunks;
  }

  start(): this {
    this.server.start();
    return this;
  }

  /** The exit code once the process has exited; undefined while it runs, or when a signal ended it. */
  get exitCode(): number | undefined {
    return this.server.exit.code ?? undefined;
  }

  get pid(): number | undefined {
    return this.server.pid;
  }

  /** Sends SIGTERM (or SIGKILL) and waits for the process to exit; answers its exit code (null after a signal). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<number | null> {
    await this.server.stop(signal);
    return this.server.exit.code;
  }
}
