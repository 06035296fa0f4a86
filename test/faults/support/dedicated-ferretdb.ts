import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { MongoClient } from 'mongodb';
import { waitFor } from '@otpflow/testing';
import { freePort, waitPortClosed } from './net.js';
import { ServerProcess } from './server-process.js';

/** Where scripts/install-ferretdb.sh puts the binary: the Go bin folder (also on PATH via env.sh). */
function ferretdbBinary(): string {
  const fromPath = (process.env.PATH ?? '')
    .split(delimiter)
    .map((folder) => join(folder, 'ferretdb'))
    .find((candidate) => existsSync(candidate));
  if (fromPath) return fromPath;
  let goPath = join(homedir(), 'go');
  try {
    goPath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim() || goPath;
  } catch {
    // No Go on PATH: the default GOPATH is all we can try.
  }
  const candidate = join(goPath, 'bin', 'ferretdb');
  if (!existsSync(candidate)) {
    throw new Error('fault tests need the ferretdb binary (scripts/install-ferretdb.sh installs it)');
  }
  return candidate;
}

/**
 * A FerretDB of the test's own, with the SQLite backend in a temporary folder, on a free port: the
 * test can kill it and start it again on the same port and data, while every other test file keeps
 * using the shared MongoDB-compatible server.
 */
export class DedicatedFerretDb {
  private readonly server: ServerProcess;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.server = new ServerProcess(
      ferretdbBinary(),
      [
        `--listen-addr=127.0.0.1:${port}`,
        '--handler=sqlite',
        `--sqlite-url=file:${join(dir, 'sqlite')}/`,
        `--state-dir=${dir}`,
        '--telemetry=disable',
        '--debug-addr=-',
        '--log-level=WARN',
      ],
      { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    );
  }

  static async start(): Promise<DedicatedFerretDb> {
    const dir = await mkdtemp(join(tmpdir(), 'otpflow-ferretdb-'));
    await mkdir(join(dir, 'sqlite'));
    const database = new DedicatedFerretDb(dir, await freePort());
    await database.boot();
    return database;
  }

  /** The server's URL, without a database: the test context adds its own. */
  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  get running(): boolean {
    return this.server.running;
  }

  /** Starts the server (again) and waits until it answers a ping. */
  async boot(timeoutMs = 30_000): Promise<void> {
    this.server.start();
    await waitFor(
      async () => {
        if (!this.server.running) throw new Error(`ferretdb exited:\n${this.server.output()}`);
        const client = new MongoClient(this.url, { serverSelectionTimeoutMS: 500 });
        try {
          await client.db('admin').command({ ping: 1 });
          return true;
        } finally {
          await client.close();
        }
      },
      { timeoutMs, intervalMs: 100, what: `the dedicated FerretDB on port ${this.port}` },
    );
  }

  /** Stops the server and waits until its port is closed: every client connection is gone with it. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): Promise<void> {
    await this.server.stop(signal);
    await waitPortClosed(this.port, 10_000);
  }

  async dispose(): Promise<void> {
    await this.server.stop('SIGKILL').catch(() => undefined);
    this.server.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
