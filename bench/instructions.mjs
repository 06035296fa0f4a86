// Instructions per request of the gateway and of the ceiling, counted by valgrind's callgrind:
//   node bench/instructions.mjs [--warmup 300] [--requests 200] [--pause 100] [--idle 10]
//     [--only send,validate] [--checkout PATH] [--ceiling-attempts S] [--ceiling-event]
// CPU time per request on this shared 2-core machine moves by tens of percent with what the other
// processes do; the instructions a process executes do not, and they carry over to other machines as
// the store commands do. For send-code, then validate-code, the gateway (its build, as the bench starts
// it) and the ceiling (bench/ceiling-server.mjs) each run under callgrind, every thread counted. Each
// gets the same warm-up and the same measured requests, one at a time, `--pause` ms apart: under
// valgrind a process runs some 50-100 times slower, so a fixed rate it cannot keep up with would queue
// requests into shared event-loop wake-ups, by how busy the machine is; alone, each request costs what
// it does at a fixed rate the server answers well within (100 a second, natively). Idle windows before
// and after the measured one count what the process's timers cost a second (heartbeats, sweeps, the
// event-loop monitor; the quieter window's rate), for a figure net of them (the measured window's length is valgrind's, not the
// requests': natively, at 100 requests a second, the timers' cost a second divided by 100 is what they
// add to a request). V8's compilers and garbage collector are counted apart: they come in lumps a window
// of a few hundred requests catches or misses. It prints, for both, the program's instructions per
// request net of timers (without compilers and collector: the figure that repeats), with timers, the
// parts and the total, and the ratios, and writes bench/results/instructions_<time>/instructions.json.
// `--checkout PATH` counts the gateway of another built checkout (an older commit, for a before and
// after); the ceiling and the load are this checkout's. `--ceiling-attempts` and `--ceiling-event` set
// what the ceiling does (bench/lib/options.mjs). Needs valgrind (Debian's package), not npm's.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CallgrindCounter, callgrindAvailable } from './lib/callgrind.mjs';
import { CEILING_VALIDATE_COMMANDS, ceilingSendPublishes, ceilingSettings } from './lib/ceiling.mjs';
import { oneAtATime } from './lib/load.mjs';
import { CEILING_OPTIONS } from './lib/options.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';
import { operationSource } from './lib/requests.mjs';
import { openSingleGatewayRun, runStamp } from './lib/single-gateway-run.mjs';

const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '300' },
    requests: { type: 'string', default: '200' },
    pause: { type: 'string', default: '100' },
    idle: { type: 'string', default: '10' },
    only: { type: 'string', default: 'send,validate' },
    checkout: { type: 'string' },
    ...CEILING_OPTIONS,
    'log-level': { type: 'string', default: 'info' },
    'mongodb-url': { type: 'string', default: 'mongodb://127.0.0.1:27017' },
    'rabbitmq-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672' },
  },
});
const pauseMs = Number(values.pause);
const warmupRequests = Number(values.warmup);
const measuredRequests = Number(values.requests);
const idleSeconds = Number(values.idle);
if (!(await callgrindAvailable())) throw new Error('valgrind (callgrind) is not installed');

const { database, prefix, ceilingPrefix, outDir, infra, env, attemptStrategy, sendEvent, ceilingAt } =
  await openSingleGatewayRun(`instructions_${runStamp()}`, values);
// The ceiling gets a send job's size once the gateway has published one.
let messageBytes = 1000;

/**
 * V8's memory reducer runs full collections when a process allocates little per second of wall time:
 * under valgrind every process does, so it would collect by the machine's load, as it never does at a
 * native 100 requests a second. Every other GC setting is left as in production.
 */
const NODE_ARGS = ['--no-memory-reducer'];

function server(kind, operation, port) {
  const log = join(outDir, `${kind}-${operation}.log`);
  if (kind === 'ceiling') {
    return ceilingAt({ port, messageBytes, nodeArgs: NODE_ARGS }, log);
  }
  const options = { nodeArgs: NODE_ARGS };
  const gateway = ServiceProcess.service(`gateway-${operation}`, 'gateway', env(port), log, options);
  if (values.checkout) gateway.cwd = values.checkout;
  return gateway;
}

function load(url, source, count) {
  return oneAtATime({ url, count, pauseMs, source });
}

const program = (parts) => parts.all - parts.compiler - parts.garbageCollector;

/**
 * Per answered request: all instructions; the program's, without V8's compilers and garbage collector
 * (they come in lumps, a full collection or a hot function optimised, that a window of a few hundred
 * requests catches or misses, where at a native 100 a second they spread over thousands); and that net
 * of its timers (the quieter idle window's rate times the measured window's length): the timers run by
 * the wall clock, which valgrind stretches by the machine's load (a gateway's request lasts 40-500 ms
 * under it), so with them the gateway's send-code figure moved 10% between a quiet and a busy machine,
 * and without them it stayed within 3% (six runs, load average 2-15).
 */
function perRequest(parts, idle, result) {
  if (result.ok === 0) return {};
  const seconds = result.durationSeconds;
  const each = (value) => Math.round(value / result.ok);
  return {
    instructionsPerRequest: each(parts.all),
    programInstructionsPerRequest: each(program(parts)),
    programNetOfTimersPerRequest: each(program(parts) - (program(idle) / idleSeconds) * seconds),
    compilerInstructionsPerRequest: each(parts.compiler),
    garbageCollectorInstructionsPerRequest: each(parts.garbageCollector),
  };
}

async function count(kind, operation) {
  await infra.resetCollections(database);
  // Each right code validates its session: every validate-code request needs a session of its own.
  const ids =
    operation === 'validate' ? await infra.prefillSessions(database, warmupRequests + measuredRequests) : [];
  const counter = new CallgrindCounter(join(outDir, `${kind}-${operation}.callgrind`));
  const port = await freePort();
  const child = server(kind, operation, port);
  child.launcher = counter.launcher();
  child.start();
  const url = `http://127.0.0.1:${port}`;
  const queue = `${kind === 'ceiling' ? ceilingPrefix : prefix}.send`;
  try {
    await child.waitReady(url, 600_000);
    const ceilingDoes = kind === 'ceiling' ? await ceilingSettings(url) : undefined;
    await counter.instrument(child);
    const source = operationSource(operation, { ceiling: kind === 'ceiling', ids });
    const warmup = await load(url, source, warmupRequests);
    const idleWindow = async () =>
      (await counter.measure(child, () => sleep(idleSeconds * 1000))).instructions;
    const before = await idleWindow();
    const { result, instructions } = await counter.measure(child, () => load(url, source, measuredRequests));
    // A window catches the timers and, at times, a lump (a compilation the warm-up queued): the quieter
    // of two, one on each side of the measured window, is the timers'.
    const after = await idleWindow();
    const idle = program(after) < program(before) ? after : before;
    if (kind === 'gateway' && operation === 'send')
      messageBytes = (await infra.takeMessageSize(queue)) ?? 1000;
    return {
      kind,
      operation,
      ...(ceilingDoes ?? {}),
      warmup: { ok: warmup.ok, statusCodes: warmup.statusCodes },
      measured: {
        ok: result.ok,
        statusCodes: result.statusCodes,
        seconds: result.durationSeconds,
        latency: result.latency,
      },
      instructions,
      idleWindows: [before, after],
      idle,
      ...perRequest(instructions, idle, result),
    };
  } finally {
    // Shutting down under valgrind takes a while; the counts are written already.
    await child.stop(60_000);
    await infra.purge(queue);
  }
}

const millions = (value) => (value === undefined ? 'n/a' : `${(value / 1e6).toFixed(2)} M`);
const results = [];
try {
  for (const operation of values.only.split(',')) {
    // The gateway first: its send job's size is the ceiling's message.
    const [gateway, ceiling] = [await count('gateway', operation), await count('ceiling', operation)];
    const ratio = (key) => Math.round((gateway[key] / ceiling[key]) * 100) / 100;
    const ratios = {
      program: ratio('programInstructionsPerRequest'),
      programNetOfTimers: ratio('programNetOfTimersPerRequest'),
      all: ratio('instructionsPerRequest'),
    };
    results.push({ operation, gateway, ceiling, ratios });
    for (const side of [gateway, ceiling]) {
      const { measured } = side;
      process.stdout.write(
        `${operation}-code ${side.kind}: program ${millions(side.programNetOfTimersPerRequest)} instructions/request net of timers (${millions(side.programInstructionsPerRequest)} with them, at ${millions(program(side.idle) / idleSeconds)}/s idle), compilers ${millions(side.compilerInstructionsPerRequest)}, GC ${millions(side.garbageCollectorInstructionsPerRequest)}, ${millions(side.instructionsPerRequest)} in all; ${measured.ok} of ${measuredRequests} ok ${JSON.stringify(measured.statusCodes)}, p50 ${measured.latency.p50} ms\n`,
      );
    }
    if (operation === 'send')
      process.stdout.write(`send-code ceiling publishes ${ceilingSendPublishes(ceiling.sendEvent)}\n`);
    if (operation === 'validate')
      process.stdout.write(
        `validate-code ceiling: ${CEILING_VALIDATE_COMMANDS[ceiling.attemptStrategy]} (${ceiling.attemptStrategy})\n`,
      );
    process.stdout.write(
      `${operation}-code ratio gateway/ceiling: program ${ratios.programNetOfTimers} net of timers (${ratios.program} with them), ${ratios.all} in all\n`,
    );
  }
} finally {
  await infra.cleanUp().catch(() => undefined);
  await infra.close();
}
const file = join(outDir, 'instructions.json');
const settings = {
  warmupRequests,
  measuredRequests,
  pauseMs,
  idleSeconds,
  checkout: values.checkout,
  ceilingAttempts: attemptStrategy,
  ceilingEvent: sendEvent,
};
writeFileSync(file, `${JSON.stringify({ settings, results }, null, 2)}\n`);
process.stderr.write(`wrote ${relative(ROOT, file)}\n`);
