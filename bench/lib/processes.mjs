import { setTimeout as sleep } from 'node:timers/promises';
import { peakResidentBytes } from '@otpflow/testing/process-stats';
import { servesWithDependencies } from '@otpflow/testing/readiness';
import { ServerProcess } from '@otpflow/testing/server-process';
import { REPOSITORY_ROOT, serviceNodeArgs } from '@otpflow/testing/service-command';

export { freePort } from '@otpflow/testing/net';
export const ROOT = REPOSITORY_ROOT;

/**
 * One service (or a bench server) run by Node in its own process (the harness's ServerProcess); a
 * service as its package's `start` script runs it (serviceNodeArgs). Its output goes straight to a log
 * file, not through this process, so the load generator's event loop never spends time on the
 * services' logs (the tests' ChildService keeps its child's output in memory instead).
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
    /** @type {ServerProcess | undefined} */
    this.server = undefined;
    /** Peak RSS read just before the process was stopped. */
    this.peakRss = undefined;
    /** Where it runs (another checkout, for bench/compare.mjs). */
    this.cwd = ROOT;
    /**
     * What Node runs under, with its options (valgrind, for bench/instructions.mjs): node's path and
     * arguments follow. The pid stays the service's own (valgrind runs the program in its process).
     */
    this.launcher = [];
  }

  /** A service of the repository, from its build output. */
  static service(label, name, env, logFile, { cpuProfileDir, nodeArgs = [] } = {}) {
    const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
    return new ServiceProcess(label, [...profile, ...nodeArgs, ...serviceNodeArgs(name)], env, logFile);
  }

  start() {
    const [command, ...args] = [...this.launcher, process.execPath, ...this.args];
    this.server = new ServerProcess(
      command,
      args,
      { PATH: process.env.PATH ?? '', ...this.env },
      // In the run's process group: Ctrl-C reaches the services with the run, as with npm start.
      { cwd: this.cwd, logFile: this.logFile, processGroup: false },
    );
    this.server.start();
    return this;
  }

  get pid() {
    return this.server?.pid;
  }

  get running() {
    return this.server?.running ?? false;
  }

  /** How it ended: `{ code, signal }`. */
  get exit() {
    return this.server?.exit;
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
    if (!this.running) return;
    this.peakRss = peakResidentBytes(this.pid) ?? this.peakRss;
    await this.server.stop('SIGTERM', timeoutMs);
  }
}
