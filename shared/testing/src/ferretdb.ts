import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Where scripts/install-ferretdb.sh puts the binary: the Go bin folder (also on PATH via env.sh). The
 * one lookup of every FerretDB of one's own (DedicatedFerretDb).
 */
export function ferretdbBinary(): string {
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
    throw new Error(
      'a FerretDB of its own needs the ferretdb binary (scripts/install-ferretdb.sh installs it)',
    );
  }
  return candidate;
}

/** Where a FerretDB of one's own keeps its data. */
export type FerretDbBackend = { kind: 'sqlite' } | { kind: 'postgresql'; database: string };

/**
 * The command line of a FerretDB of one's own: on a port of its own, its state in `dir`, its data in
 * `dir/sqlite/` or in a PostgreSQL database of its own on the local server; no telemetry, no debug port.
 */
export function ferretdbArgs(options: { port: number; dir: string; backend?: FerretDbBackend }): string[] {
  const backend = options.backend ?? { kind: 'sqlite' };
  return [
    `--listen-addr=127.0.0.1:${options.port}`,
    ...(backend.kind === 'postgresql'
      ? ['--handler=postgresql', `--postgresql-url=postgres://postgres@127.0.0.1:5432/${backend.database}`]
      : ['--handler=sqlite', `--sqlite-url=file:${join(options.dir, 'sqlite')}/`]),
    `--state-dir=${options.dir}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=WARN',
  ];
}
