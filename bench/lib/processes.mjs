import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { peakResidentBytes } from '@otpflow/testing/process-stats';
import { servesWithDependencies } from '@otpflow/testing/readiness';
import { REPOSITORY_ROOT, serviceNodeArgs } from '@otpflow/testing/service-command';

export { freePort } from '@otpflow/testing/net';
export const ROOT = REPOSITORY_ROOT;

/**
 * One service (or a bench server) run in its own process; a service as its package's `start` script
 * runs it (the harness's serviceNodeArgs). Its output goes straight to a log file, not through this
 * process, so the load generator's event loop never spends time on the services' logs (the tests'
 * ChildService keeps its child's output in memory instead).
 */
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

  /** A service of the repository, from its build output. */
  static service(label, name, env, logFile, { cpuProfileDir, nodeArgs = [] } = {}) {
    const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
    return new ServiceProcess(label, [...profile, ...nodeArgs, ...serviceNodeArgs(name)], env, logFile);
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
      // /readyz answers 200 while a dependency is still connecting (it lists each one's state): a
      // measurement starts only once every dependency is up (a bench server's body has no checks).
      if (await servesWithDependencies(url).catch(() => false)) return;
      await sleep(200);
    }
    throw new Error(`${this.label} was not ready within ${timeoutMs} ms; see ${this.logFile}`);
  }

  /** Reads VmHWM, then SIGTERM and waits (SIGKILL after the timeout). */
  async stop(timeoutMs = 15_000) {
    const child = this.child;
    if (!child || !this.running) return;
    this.peakRss = peakResidentBytes(child.pid) ?? this.peakRss;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
