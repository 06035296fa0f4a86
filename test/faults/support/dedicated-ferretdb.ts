import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ferretdbArgs, ferretdbBinary, waitFor } from '@otpflow/testing';
import { freePort, waitPortClosed } from './net.js';
import { ServerProcess } from './server-process.js';

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
    this.server = new ServerProcess(ferretdbBinary(), ferretdbArgs({ port, dir }), {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
    });
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
