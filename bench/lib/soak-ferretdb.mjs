import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ferretdbArgs, ferretdbBinary } from '@otpflow/testing/ferretdb';
import { MongoClient } from 'mongodb';
// FerretDB needs a fixed port (it cannot report port 0): one that was free a moment ago.
import { freePort } from './processes.mjs';

// The soak's own FerretDB: the binary and its command line are shared/testing's (ferretdb.ts, as the
// fault tests' DedicatedFerretDb uses them); this adds the PostgreSQL backend and a process group of
// its own, which the soak's long runs need. A long load on the shared FerretDB
// could wedge it for every test file using it, as a storm of concurrent upserts on one rate-limit
// counter once did; a server of the soak's own takes the load and goes away with its data afterwards.
//
// Its backend is chosen as scripts/services.sh chooses the shared server's: PostgreSQL when the local
// one answers (a database of the soak's own, dropped at the end), SQLite otherwise. FerretDB 1.24 on
// SQLite could not hold even 20 mixed requests a second here (its CPU at 130%, latency growing by
// seconds every minute), so a soak on SQLite measures SQLite.

function psql(sql) {
  return spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atqc', sql], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/** Whether the local PostgreSQL (the one scripts/services.sh uses) answers. */
export function postgresAvailable() {
  const result = psql('select 1');
  return result.status === 0 && result.stdout.trim() === '1';
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * FerretDB with its state (and, on SQLite, its data) in a temporary folder, on a free port, in its own process group, so
 * that stopping it stops exactly this server and everything it forked.
 */
export class SoakFerretDb {
  constructor(dir, port, backend, pgDatabase) {
    this.dir = dir;
    this.port = port;
    this.backend = backend;
    this.pgDatabase = pgDatabase;
    /** @type {import('node:child_process').ChildProcess | undefined} */
    this.child = undefined;
    this.tail = [];
  }

  /**
   * @param {{ backend?: 'auto' | 'postgresql' | 'sqlite', name?: string, timeoutMs?: number }} options
   *   name: the PostgreSQL database to create (letters, digits, underscores)
   */
  static async start({ backend = 'auto', name = 'otpflow_soak', timeoutMs = 30_000 } = {}) {
    const chosen = backend === 'auto' ? (postgresAvailable() ? 'postgresql' : 'sqlite') : backend;
    const dir = await mkdtemp(join(tmpdir(), 'otpflow-soak-ferretdb-'));
    await mkdir(join(dir, 'sqlite'));
    let pgDatabase;
    if (chosen === 'postgresql') {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad PostgreSQL database name ${name}`);
      const created = psql(`create database ${name}`);
      if (created.status !== 0) throw new Error(`could not create database ${name}: ${created.stderr}`);
      // As scripts/services.sh does for the shared server: no parallel workers for FerretDB's scans.
      psql(`alter database ${name} set max_parallel_workers_per_gather = 0`);
      pgDatabase = name;
    }
    const database = new SoakFerretDb(dir, await freePort(), chosen, pgDatabase);
    try {
      await database.boot(timeoutMs);
    } catch (error) {
      await database.dispose();
      throw error;
    }
    return database;
  }

  /** The server's URL with a database name. */
  url(database) {
    return `mongodb://127.0.0.1:${this.port}/${database}`;
  }

  get pid() {
    return this.child?.pid;
  }

  get running() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async boot(timeoutMs) {
    this.child = spawn(
      ferretdbBinary(),
      ferretdbArgs({
        port: this.port,
        dir: this.dir,
        backend:
          this.backend === 'postgresql'
            ? { kind: 'postgresql', database: this.pgDatabase }
            : { kind: 'sqlite' },
      }),
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (chunk) => {
      this.tail.push(chunk.toString());
      if (this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
    };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`ferretdb exited:\n${this.tail.join('')}`);
      const client = new MongoClient(this.url('admin'), { serverSelectionTimeoutMS: 500 });
      try {
        await client.db('admin').command({ ping: 1 });
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`ferretdb on port ${this.port} did not answer`, { cause: error });
      } finally {
        await client.close();
      }
      await sleep(100);
    }
  }

  /** SIGTERM (a clean shutdown), SIGKILL to the whole group if it lingers, then the data goes. */
  // (With PostgreSQL, the data is the soak's own database: dropped, with any connection left to it.)
  async dispose({ timeoutMs = 10_000 } = {}) {
    const child = this.child;
    if (child?.pid && this.running) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => this.killGroup(), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    this.killGroup();
    const deadline = Date.now() + timeoutMs;
    while ((await portOpen(this.port)) && Date.now() < deadline) await sleep(50);
    await rm(this.dir, { recursive: true, force: true });
    if (this.pgDatabase) {
      const dropped = psql(`drop database if exists ${this.pgDatabase} with (force)`);
      if (dropped.status !== 0)
        throw new Error(`could not drop database ${this.pgDatabase}: ${dropped.stderr}`);
    }
  }

  killGroup() {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  }
}
