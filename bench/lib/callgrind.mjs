import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Instructions executed by a process, counted by valgrind's callgrind: every thread's (V8's compiler
 * and GC threads and libuv's pool included), the same count whatever else the machine runs, where CPU
 * time on a shared machine moves by tens of percent. The process starts with instrumentation off (a
 * Node service starts in seconds instead of minutes); `measure` switches it on for the warm-up, zeroes
 * the counters and dumps them around a measured window, through callgrind_control (valgrind's gdbserver
 * reaches a process blocked in epoll_wait too).
 */
export class CallgrindCounter {
  /** @param {string} outFile where callgrind writes; its dumps are `<outFile>.1`, `.2`... */
  constructor(outFile) {
    this.outFile = outFile;
    this.dumps = 0;
  }

  /** valgrind and its options, for ServiceProcess's `launcher`. */
  launcher() {
    return [
      'valgrind',
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${this.outFile}`,
      // Nothing but the totals: no per-call-site cost tables to keep (cheaper, and all the bench reads).
      '--dump-line=no',
      '--compress-strings=no',
    ];
  }

  /**
   * Starts counting: the following code runs instrumented (the warm-up fills the translation cache).
   * @param {import('./processes.mjs').ServiceProcess} child started with this counter's launcher
   */
  async instrument(child) {
    await callgrindControl('--instr=on', child);
  }

  async zero(child) {
    await callgrindControl('--zero', child);
  }

  /** Writes a dump and returns the instructions counted since the last zero (or dump). */
  async dump(child) {
    await callgrindControl('--dump', child);
    this.dumps += 1;
    return instructionsOf(`${this.outFile}.${this.dumps}`);
  }

  /** Instructions executed while `work` runs: zero, work, dump; returns work's result and the count. */
  async measure(child, work) {
    await this.zero(child);
    const result = await work();
    return { result, instructions: await this.dump(child) };
  }
}

/**
 * Runs callgrind_control in the child's environment: valgrind names its gdbserver pipes after the
 * USER/LOGNAME and HOST variables it saw (the gateway's HOST is its listen address), and vgdb finds
 * them by its own. callgrind_control exits 0 when it reached no process: its "OK." says the command ran.
 */
async function callgrindControl(command, child) {
  const { pid, env } = child;
  const { stdout } = await run('callgrind_control', [command, String(pid)], {
    timeout: 120_000,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  if (!/^\s*OK\.$/m.test(stdout)) throw new Error(`callgrind_control ${command} ${pid}: ${stdout}`);
}

/** The `summary:` line of a callgrind dump: instructions (Ir), the only event collected. */
function instructionsOf(file) {
  const match = /^summary:\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!match) throw new Error(`no summary line in ${file}`);
  return Number(match[1]);
}

/** True when valgrind's callgrind and callgrind_control are installed (a Debian package, not npm's). */
export async function callgrindAvailable() {
  try {
    await run('valgrind', ['--tool=callgrind', '--version']);
    await run('callgrind_control', ['--version']);
    return true;
  } catch {
    return false;
  }
}
