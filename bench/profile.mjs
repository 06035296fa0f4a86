// Where the gateway's CPU time goes on its two hot paths: `node bench/profile.mjs [--duration 10]`.
// For send-code, then validate-code, a fresh gateway (the build, as the bench runs it) is loaded at
// saturation; after the warm-up, over the measured window only, the script records
//   - the gateway's CPU per answered request (user + system, /proc) and its store commands per request
//     (its own otpflow_store_commands_total), and
//   - an on-CPU profile: Linux `perf` when it can sample here (every thread, kernel included; JIT frames
//     named with --perf-basic-prof), else V8's --cpu-prof (`--v8` forces it), which samples the main
//     thread by wall time and so charges time spent waiting for the CPU inside a system call to the
//     function making it (socket writes looked like 40% of the work on a loaded machine).
// It prints self time by owner (package, otpflow module, Node core; Node core's work is charged to
// the package that called it) and by function, and writes everything to
// bench/results/profile_<time>/profile.json. bench/findings.md is written from its output.
// `--checkout PATH` profiles the gateway of another built checkout (an older commit, for a before and
// after); one without otpflow_store_commands_total reports no store commands.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds as processCpuSeconds } from '@otpflow/testing/process-stats';
import { summariseCpuProfile } from './lib/cpu-profile.mjs';
import { CODE_HASH_SECRET, gatewayEnv, testNumber } from './lib/documents.mjs';
import { Infrastructure } from './lib/infrastructure.mjs';
import { saturate } from './lib/load.mjs';
import * as perf from './lib/perf-profile.mjs';
import { SINGLE_GATEWAY_LOAD_OPTIONS, singleGatewayLoad } from './lib/options.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';
import { sendCodeSource, validateCodeSource } from './lib/requests.mjs';
import { readStoreCommands, storeCommandsPerRequest } from './lib/store-commands.mjs';

const { values } = parseArgs({
  options: {
    ...SINGLE_GATEWAY_LOAD_OPTIONS,
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
const usePerf = !values.v8 && perf.perfAvailable();

const stamp = new Date().toISOString().replaceAll(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');
const runId = `profile_${stamp}`;
const database = `${runId}_otpflow`;
const prefix = `${runId}.otp`;
const outDir = join(ROOT, 'bench/results', runId);
mkdirSync(outDir, { recursive: true });

const infra = await new Infrastructure({
  mongoUrl: values['mongodb-url'],
  rabbitUrl: values['rabbitmq-url'],
  codeHashSecret: CODE_HASH_SECRET,
}).connect();
infra.databaseUrl(database);
infra.usePrefix(prefix);

function source(operation, ids) {
  let n = 0;
  return operation === 'send'
    ? sendCodeSource(() => testNumber(n++, 5000))
    : validateCodeSource(() => ids[n++ % ids.length]);
}

/** Starts sampling the gateway: perf on the running process, or nothing (V8 samples from the start). */
function startSampling(gateway, operation) {
  if (!usePerf) return { stop: () => Promise.resolve(), summarise: () => v8Summary(operation) };
  const file = join(outDir, `${operation}.perf.data`);
  const recording = perf.recordPerf(gateway.pid, file);
  return { stop: recording.stop, summarise: async () => ({ file, ...(await perf.summarisePerf(file)) }) };
}

/** V8's profile covers the whole process life: start-up included, which the load makes a small part. */
function v8Summary(operation) {
  const dir = join(outDir, operation);
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  return file ? { file: join(dir, file), ...summariseCpuProfile(join(dir, file)) } : undefined;
}

async function profile(operation) {
  await infra.resetCollections(database);
  let ids = [];
  if (operation === 'validate') ids = await infra.prefillSessions(database, Number(values.sessions));
  const port = await freePort();
  const gateway = ServiceProcess.service(
    `gateway-${operation}`,
    'gateway',
    gatewayEnv({
      port,
      mongoUrl: infra.databaseUrl(database),
      rabbitUrl: values['rabbitmq-url'],
      prefix,
      logLevel: values['log-level'],
      testNumbers: 5000,
    }),
    join(outDir, `gateway-${operation}.log`),
    usePerf
      ? { nodeArgs: perf.perfNodeArgs(join(outDir, operation)) }
      : { cpuProfileDir: join(outDir, operation) },
  );
  if (values.checkout) gateway.cwd = values.checkout;
  gateway.start();
  const url = `http://127.0.0.1:${port}`;
  await gateway.waitReady(url);

  const load = source(operation, ids);
  await saturate({ urls: [url], connections, durationSeconds: warmupSeconds, source: load });
  const commandsBefore = await readStoreCommands([url]);
  const cpuBefore = processCpuSeconds(gateway.pid);
  const sampling = startSampling(gateway, operation);
  const startedAt = performance.now();
  const result = await saturate({ urls: [url], connections, durationSeconds, source: load });
  await sampling.stop();
  const wallSeconds = (performance.now() - startedAt) / 1000;
  const cpuSeconds = processCpuSeconds(gateway.pid) - cpuBefore;
  const storeCommands = storeCommandsPerRequest(commandsBefore, await readStoreCommands([url]), {
    requests: result.requests,
    wallSeconds,
  });
  await gateway.stop();
  await infra.purge(`${prefix}.send`);
  const summary = await sampling.summarise();
  perf.removePerfMap(gateway.pid);
  return {
    operation,
    throughput: result.throughput,
    ok: result.ok,
    statusCodes: result.statusCodes,
    gatewayCpuMsPerRequest: result.ok > 0 ? Math.round((cpuSeconds * 1e6) / result.ok) / 1000 : undefined,
    storeCommands,
    profiler: usePerf ? 'perf' : 'v8',
    profile: summary ? { ...summary, file: relative(ROOT, summary.file) } : undefined,
  };
}

const results = [];
try {
  for (const operation of values.only.split(',')) {
    process.stderr.write(
      `profiling ${operation}-code for ${durationSeconds} s (${usePerf ? 'perf' : 'V8'})\n`,
    );
    results.push(await profile(operation));
  }
} finally {
  await infra.cleanUp().catch(() => undefined);
  await infra.close();
}

const lines = [];
for (const result of results) {
  lines.push(
    `## ${result.operation}-code: ${result.throughput} req/s under the profiler`,
    '',
    `gateway CPU ${result.gatewayCpuMsPerRequest} ms per request; ${result.storeCommands.perRequest ?? 'n/a'} store commands per request (${Object.entries(
      result.storeCommands.byCommand,
    )
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')})`,
  );
  const summary = result.profile;
  if (summary?.byThread) {
    lines.push('', `perf: ${summary.samples} samples; by thread`);
    for (const entry of summary.byThread) lines.push(`- ${entry.share}% ${entry.name}`);
    lines.push('', 'main thread, by where the sample was taken');
    for (const entry of summary.byLayer) lines.push(`- ${entry.share}% ${entry.name}`);
  } else if (summary) {
    lines.push('', `V8 profile (${summary.busyMs} ms busy, ${summary.idleMs} ms idle)`);
  }
  if (summary) {
    lines.push('', 'main thread, self time by owner');
    for (const entry of summary.byOwner) lines.push(`- ${entry.share}% ${entry.name}`);
    lines.push('', 'by function');
    for (const entry of summary.byFunction) lines.push(`- ${entry.share}% ${entry.name}`);
  }
  lines.push('');
}
process.stdout.write(`${lines.join('\n')}\n`);
const file = join(outDir, 'profile.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`wrote ${relative(ROOT, file)}\n`);
