// Where the gateway's CPU time goes on its two hot paths:
//   node bench/profile.mjs [--duration 10] [--rate N] [--ceiling] [--checkout PATH]
// For send-code, then validate-code, a fresh gateway (the build, as the bench runs it) is loaded at
// saturation, or with `--rate N` at N requests a second (the goal's CPU ratio is judged at one fixed
// rate, where what every event-loop wake-up costs shows; at saturation many requests share one); after
// the warm-up (the same load), over the measured window only, the script records
//   - the gateway's CPU per answered request (user + system, /proc) and its store commands per request
//     (its own otpflow_store_commands_total), and
//   - an on-CPU profile: Linux `perf` when it can sample here (every thread, kernel included; JIT frames
//     named with --perf-basic-prof), else V8's --cpu-prof (`--v8` forces it), which samples the main
//     thread by wall time and so charges time spent waiting for the CPU inside a system call to the
//     function making it (socket writes looked like 40% of the work on a loaded machine).
// It prints self time by owner (package, otpflow module, Node core; Node core's work is charged to
// the package that called it) and by function, and writes everything to
// bench/results/profile_<time>/profile.json. bench/findings.md is written from its output.
// `--ceiling` measures and profiles the ceiling (bench/ceiling-server.mjs) the same way right after
// each gateway, and prints both CPU figures per request and their ratio.
// `--checkout PATH` profiles the gateway of another built checkout (an older commit, for a before and
// after); one without otpflow_store_commands_total reports no store commands.
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds as processCpuSeconds } from '@otpflow/testing/process-stats';
import { ceilingSettings } from './lib/ceiling.mjs';
import { summariseCpuProfile } from './lib/cpu-profile.mjs';
import { fixedRate, saturate } from './lib/load.mjs';
import * as perf from './lib/perf-profile.mjs';
import { CEILING_OPTIONS, SINGLE_GATEWAY_LOAD_OPTIONS, singleGatewayLoad } from './lib/options.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';
import { profileReport } from './lib/profile-report.mjs';
import { operationSource } from './lib/requests.mjs';
import { openSingleGatewayRun, runStamp } from './lib/single-gateway-run.mjs';
import { readStoreCommands, storeCommandsPerRequest } from './lib/store-commands.mjs';

const { values } = parseArgs({
  options: {
    ...SINGLE_GATEWAY_LOAD_OPTIONS,
    ...CEILING_OPTIONS,
    rate: { type: 'string' },
    ceiling: { type: 'boolean', default: false },
    sessions: { type: 'string', default: '10000' },
    'log-level': { type: 'string', default: 'info' },
    'mongodb-url': { type: 'string', default: 'mongodb://127.0.0.1:27017' },
    'rabbitmq-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672' },
    only: { type: 'string', default: 'send,validate' },
    v8: { type: 'boolean', default: false },
    checkout: { type: 'string' },
  },
});
const { durationSeconds, warmupSeconds, connections } = singleGatewayLoad(values);
const rate = values.rate === undefined ? undefined : Number(values.rate);
const usePerf = !values.v8 && perf.perfAvailable();

const { database, prefix, ceilingPrefix, outDir, infra, env, ceilingAt } = await openSingleGatewayRun(
  `profile_${runStamp()}`,
  values,
);
// The ceiling gets a send job's size once the gateway has published one.
let messageBytes = 1000;

/** Saturation, or the fixed rate given; both processes of a run get the same. */
function load(url, source, seconds) {
  const urls = [url];
  return rate === undefined
    ? saturate({ urls, connections, durationSeconds: seconds, source })
    : fixedRate({ urls, rate, durationSeconds: seconds, maxSockets: connections, source });
}

function server(kind, operation, port) {
  const dir = join(outDir, `${kind}-${operation}`);
  // V8's profiler writes a .cpuprofile into dir at exit; perf needs V8's map of JIT code.
  const nodeArgs = usePerf ? perf.perfNodeArgs(dir) : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  const log = join(outDir, `${kind}-${operation}.log`);
  if (kind === 'ceiling') {
    return ceilingAt({ port, messageBytes, nodeArgs }, log);
  }
  const gateway = ServiceProcess.service(`gateway-${operation}`, 'gateway', env(port), log, { nodeArgs });
  if (values.checkout) gateway.cwd = values.checkout;
  return gateway;
}

/** Starts sampling a process: perf on the running process, or nothing (V8 samples from the start). */
function startSampling(child, name) {
  if (!usePerf) return { stop: () => Promise.resolve(), summarise: () => v8Summary(name) };
  const file = join(outDir, `${name}.perf.data`);
  const recording = perf.recordPerf(child.pid, file);
  return { stop: recording.stop, summarise: async () => ({ file, ...(await perf.summarisePerf(file)) }) };
}

/** V8's profile covers the whole process life: start-up included, which the load makes a small part. */
function v8Summary(name) {
  const dir = join(outDir, name);
  const file = readdirSync(dir).find((entry) => entry.endsWith('.cpuprofile'));
  return file ? { file: join(dir, file), ...summariseCpuProfile(join(dir, file)) } : undefined;
}

async function profile(kind, operation, ids) {
  const child = server(kind, operation, await freePort());
  const gateway = kind === 'gateway';
  const url = `http://127.0.0.1:${child.env.PORT}`;
  const queue = `${gateway ? prefix : ceilingPrefix}.send`;
  child.start();
  await child.waitReady(url);
  const ceilingDoes = gateway ? undefined : await ceilingSettings(url);
  const source = operationSource(operation, { ceiling: !gateway, ids });
  await load(url, source, warmupSeconds);
  // The ceiling has no metrics: store commands are the gateway's only.
  const commandsBefore = gateway ? await readStoreCommands([url]) : undefined;
  const cpuBefore = processCpuSeconds(child.pid);
  const sampling = startSampling(child, `${kind}-${operation}`);
  const startedAt = performance.now();
  const result = await load(url, source, durationSeconds);
  await sampling.stop();
  const wallSeconds = (performance.now() - startedAt) / 1000;
  const cpuSeconds = processCpuSeconds(child.pid) - cpuBefore;
  const storeCommands = commandsBefore
    ? storeCommandsPerRequest(commandsBefore, await readStoreCommands([url]), {
        requests: result.requests,
        wallSeconds,
      })
    : undefined;
  if (gateway && operation === 'send') messageBytes = (await infra.takeMessageSize(queue)) ?? messageBytes;
  await child.stop();
  await infra.purge(queue);
  const summary = await sampling.summarise();
  if (usePerf) perf.keepPerfMap(child.pid, summary.file);
  return {
    kind,
    ...(ceilingDoes ?? {}),
    throughput: result.throughput ?? result.achievedRate,
    ok: result.ok,
    statusCodes: result.statusCodes,
    cpuMsPerRequest: result.ok > 0 ? Math.round((cpuSeconds * 1e6) / result.ok) / 1000 : undefined,
    storeCommands,
    profiler: usePerf ? 'perf' : 'v8',
    profile: summary ? { ...summary, file: relative(ROOT, summary.file) } : undefined,
  };
}

/** The gateway, then (with --ceiling) the ceiling, each from the same fresh state. */
async function profileOperation(operation) {
  const fresh = async () => {
    await infra.resetCollections(database);
    return operation === 'validate' ? infra.prefillSessions(database, Number(values.sessions)) : [];
  };
  const gateway = await profile('gateway', operation, await fresh());
  const ceiling = values.ceiling ? await profile('ceiling', operation, await fresh()) : undefined;
  const ratio =
    ceiling?.cpuMsPerRequest && gateway.cpuMsPerRequest
      ? Math.round((gateway.cpuMsPerRequest / ceiling.cpuMsPerRequest) * 100) / 100
      : undefined;
  const loadName = rate === undefined ? `saturation, ${connections} connections` : `fixed rate ${rate} req/s`;
  return { operation, load: loadName, gateway, ceiling, ratio };
}

const results = [];
try {
  for (const operation of values.only.split(',')) {
    process.stderr.write(
      `profiling ${operation}-code for ${durationSeconds} s (${usePerf ? 'perf' : 'V8'})\n`,
    );
    results.push(await profileOperation(operation));
  }
} finally {
  await infra.cleanUp().catch(() => undefined);
  await infra.close();
}

process.stdout.write(profileReport(results));
const file = join(outDir, 'profile.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`wrote ${relative(ROOT, file)}\n`);
