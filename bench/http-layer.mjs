// What the gateway's HTTP layer costs, without the store or the broker:
//   node bench/http-layer.mjs [--duration 10] [--rate 200] [--perf]
// For send-code and validate-code, the gateway's express app (authentication, body parsing, zod
// validation, error handling, metrics, access log) in front of a domain that answers at once, against
// a bare node:http server that parses the body and answers the same (bench/lib/http-layer-server.mjs).
// Each runs in its own process; the figure is that process's CPU (user + system, /proc) per answered
// request, at saturation (16 connections) and at a fixed rate near the gateway's real throughput, where
// each request has the event loop to itself. With --perf, the gateway's on-CPU profile (Linux perf) at
// the fixed rate is printed by owner and function. Needs `npm run build` first. Not part of `npm test`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { testNumber } from './lib/documents.mjs';
import { fixedRate, saturate } from './lib/load.mjs';
import * as perf from './lib/perf-profile.mjs';
import { SINGLE_GATEWAY_LOAD_OPTIONS, singleGatewayLoad } from './lib/options.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';
import { sendCodeSource, validateCodeSource } from './lib/requests.mjs';
import { cpuSeconds as processCpuSeconds } from '@otpflow/testing/process-stats';

const { values } = parseArgs({
  options: {
    ...SINGLE_GATEWAY_LOAD_OPTIONS,
    rate: { type: 'string', default: '200' },
    perf: { type: 'boolean', default: false },
  },
});
const { durationSeconds, warmupSeconds, connections } = singleGatewayLoad(values);
const rate = Number(values.rate);
const outDir = join(ROOT, 'bench/results', `http-layer_${Date.now()}`);
mkdirSync(outDir, { recursive: true });
const usePerf = values.perf && perf.perfAvailable();
if (values.perf && !usePerf) process.stderr.write('perf is not available here: no profile\n');

const sources = {
  send: (n = 0) => sendCodeSource(() => testNumber(n++, 5000), { message: '{{code}} is your code' }),
  validate: () => validateCodeSource(() => crypto.randomUUID()),
};

/** CPU microseconds of the process per answered request over one load run. */
async function measured(pid, load) {
  const before = processCpuSeconds(pid);
  const result = await load();
  const cpu = processCpuSeconds(pid) - before;
  return { ...result, cpuUsPerRequest: result.ok > 0 ? Math.round((cpu * 1e6) / result.ok) : undefined };
}

async function run(variant, operation) {
  const port = await freePort();
  const nodeArgs = usePerf && variant === 'gateway' ? perf.perfNodeArgs(outDir) : [];
  const server = new ServiceProcess(
    `${variant}-${operation}`,
    [...nodeArgs, 'bench/lib/http-layer-server.mjs'],
    {
      VARIANT: variant,
      PORT: String(port),
      LOG_FILE: join(outDir, `${variant}-${operation}.access.log`),
      LOG_SYNC: process.env.LOG_SYNC ?? '',
      LOG_MIN_LENGTH: process.env.LOG_MIN_LENGTH ?? '0',
    },
    join(outDir, `${variant}-${operation}.log`),
  ).start();
  const url = `http://127.0.0.1:${port}`;
  try {
    await server.waitReady(url);
    const source = sources[operation]();
    await saturate({ urls: [url], connections, durationSeconds: warmupSeconds, source });
    const saturation = await measured(server.pid, () =>
      saturate({ urls: [url], connections, durationSeconds, source }),
    );
    const profile =
      usePerf && variant === 'gateway'
        ? perf.recordPerf(server.pid, join(outDir, `${operation}.perf.data`))
        : undefined;
    const fixed = await measured(server.pid, () =>
      fixedRate({ urls: [url], rate, durationSeconds, maxSockets: connections, source }),
    );
    await profile?.stop();
    return {
      variant,
      operation,
      saturation,
      fixed,
      pid: server.pid,
      perfData: profile ? join(outDir, `${operation}.perf.data`) : undefined,
    };
  } finally {
    await server.stop();
  }
}

const rows = [];
for (const operation of ['send', 'validate']) {
  for (const variant of ['bare', 'gateway']) {
    process.stderr.write(`${variant} ${operation}-code\n`);
    rows.push(await run(variant, operation));
  }
}

const lines = [
  `CPU per answered request, µs (saturation: ${connections} connections; fixed: ${rate} requests/s; ${durationSeconds} s each)`,
  '',
  '| operation | bare saturation | gateway saturation | ratio | bare fixed | gateway fixed | ratio |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
for (const operation of ['send', 'validate']) {
  const bare = rows.find((row) => row.operation === operation && row.variant === 'bare');
  const gateway = rows.find((row) => row.operation === operation && row.variant === 'gateway');
  const ratio = (a, b) => (a && b ? (b / a).toFixed(1) : 'n/a');
  lines.push(
    `| ${operation}-code | ${bare.saturation.cpuUsPerRequest} (${bare.saturation.throughput}/s) | ${gateway.saturation.cpuUsPerRequest} (${gateway.saturation.throughput}/s) | ${ratio(bare.saturation.cpuUsPerRequest, gateway.saturation.cpuUsPerRequest)} | ${bare.fixed.cpuUsPerRequest} | ${gateway.fixed.cpuUsPerRequest} | ${ratio(bare.fixed.cpuUsPerRequest, gateway.fixed.cpuUsPerRequest)} |`,
  );
}
for (const row of rows.filter((candidate) => candidate.perfData)) {
  const summary = await perf.summarisePerf(row.perfData);
  perf.keepPerfMap(row.pid, row.perfData);
  lines.push('', `gateway ${row.operation}-code at ${rate}/s, on-CPU samples of the main thread by owner:`);
  for (const entry of summary.byOwner) lines.push(`- ${entry.share}% ${entry.name}`);
  lines.push('', 'by function:');
  for (const entry of summary.byFunction) lines.push(`- ${entry.share}% ${entry.name}`);
}
const failures = rows.flatMap((row) =>
  [row.saturation, row.fixed]
    .filter((result) => (result.non2xx ?? 0) + result.errors > 0 || result.ok === 0)
    .map(
      (result) =>
        `${row.variant} ${row.operation}: ${result.ok} of ${result.requests} answered 2xx ${JSON.stringify(result.statusCodes)}`,
    ),
);
if (failures.length > 0)
  lines.push('', 'Not every answer was a success:', ...failures.map((line) => `- ${line}`));
process.stdout.write(`${lines.join('\n')}\n`);
