import { spawnSync } from 'node:child_process';

// A database of one's own on the local PostgreSQL (the one scripts/services.sh uses), for a FerretDB
// with the PostgreSQL backend: created before the server starts, dropped with any connection left to it.

function psql(sql: string): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atqc', sql], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

/** Whether the local PostgreSQL answers. */
export function postgresAvailable(): boolean {
  const result = psql('select 1');
  return result.ok && result.stdout.trim() === '1';
}

function checkedName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad PostgreSQL database name ${name}`);
  return name;
}

export function createPostgresDatabase(name: string): void {
  const created = psql(`create database ${checkedName(name)}`);
  if (!created.ok) throw new Error(`could not create database ${name}: ${created.stderr}`);
  // As scripts/services.sh does for the shared server: no parallel workers for FerretDB's scans.
  psql(`alter database ${name} set max_parallel_workers_per_gather = 0`);
}

export function dropPostgresDatabase(name: string): void {
  const dropped = psql(`drop database if exists ${checkedName(name)} with (force)`);
  if (!dropped.ok) throw new Error(`could not drop database ${name}: ${dropped.stderr}`);
}
