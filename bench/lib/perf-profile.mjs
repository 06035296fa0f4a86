import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { owner } from './cpu-profile.mjs';

/**
 * On-CPU profiles from Linux `perf` (software clock, so it works in a VM without a PMU). V8's own
 * --cpu-prof samples the main thread by wall time: a thread waiting for the scheduler inside a
 * socket write is charged to `writeBuffer` as if it were working, which on a loaded 2-core machine
 * was 40% of the samples while the process's user+system time said otherwise. `perf` samples only
 * what runs, in every thread, kernel included. The service runs with perfNodeArgs() so JIT frames
 * have names (V8 writes them to /tmp/perf-<pid>.map; keepPerfMap moves it beside the recording once
 * summarised, so the recording can be examined again: copy it back to /tmp/perf-<pid>.map, then
 * `perf report -i <name>.perf.data`).
 */

/** Node flags for a process to be profiled: JIT symbol map, V8's log kept out of the working tree. */
export function perfNodeArgs(logDir) {
  return ['--perf-basic-prof', `--logfile=${join(logDir, 'v8.log')}`, '--no-logfile-per-isolate'];
}

/**
 * Moves the JIT symbol map V8 wrote for a profiled process out of /tmp, to `<recording>.map` beside
 * its recording: without it the recording's JavaScript frames have no names.
 */
export function keepPerfMap(pid, recording) {
  if (pid === undefined) return;
  const map = `/tmp/perf-${pid}.map`;
  if (!existsSync(map)) return;
  // Copied, not renamed: /tmp is often a file system of its own.
  copyFileSync(map, `${recording}.map`);
  rmSync(map, { force: true });
}

/** True when `perf` can sample a process here (installed, and perf_event_paranoid allows it). */
export function perfAvailable() {
  const probe = spawnSync('perf', ['stat', '-e', 'cpu-clock', '--', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

/** Starts sampling a process; `stop()` ends it and resolves when the data file is written. */
export function recordPerf(pid, file, frequency = 999) {
  const child = spawn(
    'perf',
    ['record', '-e', 'cpu-clock', '-F', String(frequency), '-g', '-p', String(pid), '-o', file],
    { stdio: 'ignore' },
  );
  return {
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** `JS:*'name url:line:col+0x1f` (perf-basic-prof) → { name, url }. Builtins and C++ give undefined. */
function jsFrame(symbol) {
  const match = /^JS:[*~^+]?'?(.*?) ((?:file:\/\/|node:|\/)\S*?):(\d+):\d+(?:\+0x[0-9a-f]+)?$/.exec(symbol);
  if (!match) return undefined;
  return { name: match[1] || '(anonymous)', url: match[2], line: Number(match[3]) };
}

/** What kind of code the innermost frame is: the layer under the JS function that called it. */
function layerOf(symbol, dso) {
  if (dso.includes('kernel')) return 'kernel';
  if (symbol.startsWith('JS:')) return 'JS';
  if (/Heap::|Scavenge|MarkCompact|GCTracer|MinorMS|Sweeper/.test(symbol)) return 'GC';
  if (symbol.startsWith('Builtins_')) return 'V8 builtins';
  if (dso.includes('libc') || dso.includes('libstdc++')) return 'libc';
  return 'V8/Node C++';
}

function thread(comm) {
  if (comm === 'MainThread' || comm === 'node') return 'main thread';
  if (comm.startsWith('V8Worker') || comm.startsWith('V8 ')) return 'V8 workers (JIT, GC)';
  if (comm.startsWith('libuv')) return 'libuv threadpool';
  return comm;
}

const rank = (map, total, top) =>
  [...map.entries()]
    .sort(([, a], [, b]) => b - a)
    .slice(0, top)
    .map(([name, count]) => ({ name, share: Math.round((count / total) * 1000) / 10 }));

const isOtpflow = (who) => who.startsWith('services/') || who.startsWith('@otpflow/');

/**
 * Reads `perf script` of a recording and charges every main-thread sample to the nearest JavaScript
 * frame (a builtin, a C++ runtime function or a system call made on behalf of a function is that
 * function's cost), then groups by owner (package, otpflow module, Node core), by function, and by
 * the layer where the sample was taken. Samples with no JavaScript frame (the event loop's own work,
 * socket reads before the callback) are "(no JS frame)". Other threads are reported by thread.
 * `inclusive` ranks otpflow's own functions by the share of samples with them anywhere on the stack
 * (what a step costs with the packages it calls: the driver's work for the store's write, amqplib's
 * for a publish), each counted once a sample. Work resumed from a promise has only its continuation
 * on the stack, so an async function's share is of the code it runs up to each `await`.
 */
export async function summarisePerf(file, top = 20) {
  const script = spawn('perf', ['script', '-i', file, '-F', 'comm,tid,ip,sym,dso'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const byThread = new Map();
  const byOwner = new Map();
  const byFunction = new Map();
  const byLayer = new Map();
  const inclusive = new Map();
  let total = 0;
  let main = 0;
  let current;
  const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  const finish = () => {
    if (!current) return;
    total += 1;
    add(byThread, current.thread);
    if (current.thread === 'main thread') {
      main += 1;
      const js = current.frames.map(({ symbol }) => jsFrame(symbol)).filter(Boolean);
      // Node's own modules (crypto, net, streams) work for whoever called them: charge that caller.
      const caller = js.find((frame) => owner(frame.url, frame.name) !== 'Node core');
      add(byOwner, caller ? owner(caller.url, caller.name) : js.length > 0 ? 'Node core' : '(no JS frame)');
      const [inner] = js;
      const who = inner ? owner(inner.url, inner.name) : '(no JS frame)';
      const via = inner && caller && caller !== inner ? `, for ${owner(caller.url, caller.name)}` : '';
      add(
        byFunction,
        inner ? `${inner.name} (${who} ${inner.url.split('/').pop()}:${inner.line}${via})` : who,
      );
      const top = current.frames[0];
      add(byLayer, top ? layerOf(top.symbol, top.dso) : 'unknown');
      const onStack = new Set();
      for (const frame of js) {
        const who = owner(frame.url, frame.name);
        if (isOtpflow(who)) onStack.add(`${frame.name} (${who} ${frame.url.split('/').pop()}:${frame.line})`);
      }
      for (const name of onStack) add(inclusive, name);
    }
    current = undefined;
  };
  const lines = createInterface({ input: script.stdout });
  for await (const line of lines) {
    if (line.length === 0) {
      finish();
    } else if (!/^\s/.test(line)) {
      finish();
      const comm = line.trim().split(/\s+/)[0] ?? '';
      current = { thread: thread(comm), frames: [] };
    } else if (current) {
      const match = /^\s*[0-9a-f]+ (.*) \((.*)\)$/.exec(line);
      if (match) current.frames.push({ symbol: match[1].replace(/\+0x[0-9a-f]+$/, ''), dso: match[2] });
    }
  }
  finish();
  await once(script, 'close');
  return {
    samples: total,
    mainThreadSamples: main,
    byThread: rank(byThread, total, top),
    byOwner: rank(byOwner, main, top),
    byFunction: rank(byFunction, main, top),
    byLayer: rank(byLayer, main, top),
    inclusive: rank(inclusive, main, top * 2),
  };
}
