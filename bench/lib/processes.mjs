import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A free loopback port: the OS picks one, we release it and hand it to a child. */
export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Peak resident set size (VmHWM) of a live process, in bytes; undefined once it has exited. */
export function peakRssBytes(pid) {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One service run from its build output in its own process, as its package's `start` script runs it
 * (telemetry hook first). Its output goes straight to a log file, not through this process, so the
 * load generator's event loop never spends time on the services' logs.
 */
/** True when a /readyz body reports no dependency down (the ceiling's body has no checks). */
function dependenciesUp(body) {
  try {
    const { checks } = JSON.parse(body);
    return Object.values(checks ?? {}).every((state) => state === 'up');
  } catch {
    return false;
  }
}

export class ServiceProcess {
  /**
   * @param {string} label e.g. "gateway-2"
   * @param {string[]} args node arguments
   * @param {Record<string, string>} env the whole environment of the child (plus PATH)
   * @param {string} logFile
   */
  constructor(label, args, env, logFile) {
    this.label = label;
    this.args = args;
    this.env = env;
    this.logFile = logFile;
    /** @type {import('node:child_process').ChildProcess | undefined} */
    this.child = undefined;
    /** Peak RSS read just before the process was stopped. */
    this.peakRss = undefined;
    /** Where it runs (another checkout, for bench/compare.mjs). */
    this.cwd = ROOT;
  }

  /** A service of the repository: `node --import @otpflow/telemetry/register services/<name>/dist/main.js`. */
  static service(label, name, env, logFile, { cpuProfileDir, nodeArgs = [] } = {}) {
    const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
    return new ServiceProcess(
      label,
      [
        ...profile,
        ...nodeArgs,
        '--enable-source-maps',
        '--import',
        '@otpflow/telemetry/register',
        `services/${name}/dist/main.js`,
      ],
      env,
      logFile,
    );
  }

  start() {
    const fd = openSync(this.logFile, 'a');
    try {
      this.child = spawn(process.execPath, this.args, {
        cwd: this.cwd,
        env: { PATH: process.env.PATH ?? '', ...this.env },
        stdio: ['ignore', fd, fd],
      });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(fd);
    }
    return this;
  }

  get pid() {
    return this.child?.pid;
  }

  get running() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Polls /readyz until it answers 200 with every dependency up; fails if the process exits or the
   * time runs out (two minutes: on a shared machine a store still emptying the last measurement's
   * collections has held a gateway's start for more than 30 s).
   */
  async waitReady(url, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.label} exited while starting; see ${this.logFile}`);
      try {
        const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
        const body = await response.text();
        // /readyz answers 200 while a dependency is still connecting (it lists each one's state):
        // a measurement starts only once every dependency is up.
        if (response.status === 200 && dependenciesUp(body)) return;
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    throw new Error(`${this.label} was not ready within ${timeoutMs} ms; see ${this.logFile}`);
  }

  /** Reads VmHWM, then SIGTERM and waits (SIGKILL after the timeout). */
  async stop(timeoutMs = 15_000) {
    const child = this.child;
    if (!child || !this.running) return;
    this.peakRss = peakRssBytes(child.pid) ?? this.peakRss;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
