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

  /** Writes a dump and returns the instructions counted since the last zero (or dump), by part. */
  async dump(child) {
    await callgrindControl('--dump', child);
    this.dumps += 1;
    return instructionsOfDump(`${this.outFile}.${this.dumps}`);
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

// Where an instruction ran, by the function's name (V8's own C++ is named; JIT code is not): its
// compilers (and parser), its garbage collector, or the program. Both come in lumps a short window
// catches or misses (a full collection, an optimisation of a hot function), so they are told apart.
const COMPILER =
  /^v8::internal::(?:compiler|maglev|baseline|turboshaft|interpreter::Bytecode|Parser|PreParser|Scanner|Compiler::|OptimizingCompileDispatcher)/;
const GARBAGE_COLLECTOR =
  /^(?:heap::base::|cppgc::|__popcountdi2)|v8::internal::\S*(?:Mark|Scaveng|Sweep|Evacuat|Compact|RememberedSet|SlotSet|GCTracer|Heap::|SizeFromMap|IterateObjectCache|StringTableCleaner|Visitor)/;

/**
 * A callgrind dump's instructions (Ir, the only event collected): all (its `summary:` line), and
 * those of V8's compilers and garbage collector (the self cost of their functions: a cost line after
 * a `calls=` line is the call's inclusive cost, counted where it is spent instead).
 */
export function instructionsOfDump(file) {
  const text = readFileSync(file, 'utf8');
  const summary = /^summary:\s+(\d+)/m.exec(text);
  if (!summary) throw new Error(`no summary line in ${file}`);
  const parts = { all: Number(summary[1]), compiler: 0, garbageCollector: 0 };
  let part;
  let inclusive = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) {
      const name = line.slice(3);
      part = COMPILER.test(name) ? 'compiler' : GARBAGE_COLLECTOR.test(name) ? 'garbageCollector' : undefined;
    } else if (line.startsWith('calls=')) {
      inclusive = true;
    } else if (/^[\d+-]/.test(line)) {
      if (part && !inclusive) parts[part] += Number(line.split(' ')[1] ?? 0);
      inclusive = false;
    }
  }
  return parts;
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
