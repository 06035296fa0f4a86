import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ferretdbArgs, ferretdbBinary, type FerretDbBackend } from './ferretdb.js';
import { freePort, waitPortClosed } from './net.js';
import { createPostgresDatabase, dropPostgresDatabase, postgresAvailable } from './postgres-database.js';
import { ServerProcess } from './server-process.js';
import { waitFor } from './wait-for.js';

/**
 * `auto` chooses as scripts/services.sh chooses for the shared server: PostgreSQL when the local one
 * answers, SQLite otherwise.
 */
export type DedicatedBackend = 'sqlite' | 'postgresql' | 'auto';

/**
 * A FerretDB of one's own, its state (and, on SQLite, its data) in a temporary folder, on a free port,
 * in a process group of its own: a fault test can kill it and start it again on the same port and
 * data, and the soak puts its long load on it, while every other test file keeps using the shared
 * MongoDB-compatible server. A long load on the shared server could wedge it for every test file (a
 * storm of concurrent upserts on one rate-limit counter once did). With PostgreSQL, its data is a
 * database of its own on the local server, dropped on dispose.
 */
export class DedicatedFerretDb {
  private readonly server: ServerProcess;
  private ownsPostgresDatabase = false;

  private constructor(
    private readonly dir: string,
    readonly port: number,
    readonly backend: FerretDbBackend,
  ) {
    this.server = new ServerProcess(ferretdbBinary(), ferretdbArgs({ port, dir, backend }), {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
    });
  }

  /** `postgresDatabase`: the PostgreSQL database to create when the backend is PostgreSQL. */
  static async start({
    backend = 'sqlite',
    postgresDatabase = 'otpflow_dedicated',
  }: { backend?: DedicatedBackend; postgresDatabase?: string } = {}): Promise<DedicatedFerretDb> {
    const chosen: FerretDbBackend =
      backend === 'postgresql' || (backend === 'auto' && postgresAvailable())
        ? { kind: 'postgresql', database: postgresDatabase }
        : { kind: 'sqlite' };
    const dir = await mkdtemp(join(tmpdir(), 'otpflow-ferretdb-'));
    await mkdir(join(dir, 'sqlite'));
    // FerretDB needs a fixed port (it cannot report port 0): one that was free a moment ago.
    const database = new DedicatedFerretDb(dir, await freePort(), chosen);
    try {
      if (chosen.kind === 'postgresql') {
        createPostgresDatabase(chosen.database);
        database.ownsPostgresDatabase = true;
      }
      await database.boot();
    } catch (error) {
      await database.dispose();
      throw error;
    }
    return database;
  }

  /** The server's URL, without a database: the test context adds its own. */
  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  /** The server's URL with a database name. */
  databaseUrl(database: string): string {
    return `${this.url}${database}`;
  }

  get running(): boolean {
    return this.server.running;
  }

  get pid(): number | undefined {
    return this.server.pid;
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

  /**
   * Stops the server (SIGKILL by default: a test's data is thrown away; SIGTERM for a clean shutdown,
   * SIGKILL to the group if it lingers), then its data goes.
   */
  async dispose({ signal = 'SIGKILL' }: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<void> {
    await this.server.stop(signal, 10_000).catch(() => undefined);
    this.server.kill();
    await waitPortClosed(this.port, 10_000).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
    // Only what it created: a start that failed on a name already taken leaves that database alone.
    if (this.backend.kind === 'postgresql' && this.ownsPostgresDatabase)
      dropPostgresDatabase(this.backend.database);
  }
}
