// Two builds of the gateway side by side, with the ceiling, on one machine at one time:
//   node bench/compare.mjs --base /path/to/other/checkout [--rounds 3] [--duration 10] [--rate 50]
//     [--kinds ceiling,base,current,unmonitored]
// The other checkout must be built (npm ci && npm run build there). For send-code and validate-code,
// each round measures the ceiling, the base gateway, this checkout's gateway and this one with
// MONGODB_COMMAND_METRICS=false ("unmonitored": no store-command counting), one after the other, so a machine that other work keeps busy slows all
// alike; the figures are each process's own CPU (user + system, /proc) per answered request, and their
// ratios to the ceiling's, as the median over the rounds, and both gateways' store commands per request
// (their otpflow_store_commands_total, idle background subtracted). At saturation (the default) a slower server
// also pays more per request (fewer requests share each wake-up of its event loop); `--rate` loads
// every server at the same fixed rate instead, so what differs is the work each request takes.
// Not part of `npm test`; `npm run bench` is the full benchmark.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { cpuSeconds as processCpuSeconds } from '@otpflow/testing/process-stats';
import { CEILING_OPTIONS } from './lib/options.mjs';
import { fixedRate, saturate } from './lib/load.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';
import { operationSource } from './lib/requests.mjs';
import { openSingleGatewayRun, runStamp } from './lib/single-gateway-run.mjs';
import { idleStoreCommands, readStoreCommands, storeCommandsPerRequest } from './lib/store-commands.mjs';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    rate: { type: 'string' },
    kinds: { type: 'string', default: 'ceiling,base,current,unmonitored' },
    sessions: { type: 'string', default: '10000' },
    'mongodb-url': { type: 'string', default: 'mongodb://127.0.0.1:27017' },
    'rabbitmq-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672' },
    ...CEILING_OPTIONS,
  },
});
if (!values.base) throw new Error('--base: the checkout to compare with (built)');
const durationSeconds = Number(values.duration);
const connections = Number(values.connections);
const {
  database,
  prefix,
  ceilingPrefix,
  outDir,
  infra,
  env: gatewayEnvAt,
  ceilingAt,
} = await openSingleGatewayRun(`compare_${runStamp()}`, values);

/** The three servers: the ceiling, and the gateway from each checkout (run from that checkout). */
function server(kind, port) {
  const log = join(outDir, `${kind}.log`);
  if (kind === 'ceiling') {
    return ceilingAt({ port, messageBytes: 484 }, log);
  }
  const root = kind === 'base' ? values.base : ROOT;
  const env = gatewayEnvAt(port);
  if (kind === 'unmonitored') env.MONGODB_COMMAND_METRICS = 'false';
  const child = ServiceProcess.service(kind, 'gateway', env, log);
  child.cwd = root;
  return child;
}

async function measure(kind, operation) {
  await infra.resetCollections(database);
  const ids = operation === 'validate' ? await infra.prefillSessions(database, Number(values.sessions)) : [];
  const port = await freePort();
  const child = server(kind, port).start();
  const url = `http://127.0.0.1:${port}`;
  try {
    await child.waitReady(url);
    const load = operationSource(operation, { ceiling: kind === 'ceiling', ids, withClientId: true });
    // What the gateway sends when idle (sweeps, syncs, pings) is not the requests'.
    const counted = kind === 'base' || kind === 'current';
    const background = counted ? await idleStoreCommands([url], 3, sleep) : {};
    await saturate({ urls: [url], connections, durationSeconds: Number(values.warmup), source: load });
    const commandsBefore = counted ? await readStoreCommands([url]) : undefined;
    const before = processCpuSeconds(child.pid);
    const result = values.rate
      ? await fixedRate({
          urls: [url],
          rate: Number(values.rate),
          durationSeconds,
          maxSockets: connections,
          source: load,
        })
      : await saturate({ urls: [url], connections, durationSeconds, source: load });
    const cpuMs = ((processCpuSeconds(child.pid) - before) * 1000) / Math.max(1, result.ok);
    const failed = result.requests - result.ok;
    const commands = commandsBefore
      ? storeCommandsPerRequest(commandsBefore, await readStoreCommands([url]), {
          requests: result.requests,
          wallSeconds: result.durationSeconds,
          background,
        })
      : undefined;
    return { throughput: result.throughput ?? result.achievedRate, cpuMs, failed, commands };
  } finally {
    await child.stop();
    await infra.purge(`${kind === 'ceiling' ? ceilingPrefix : prefix}.send`);
  }
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const rows = [];
try {
  for (const operation of ['send', 'validate']) {
    const samples = Object.fromEntries(values.kinds.split(',').map((kind) => [kind, []]));
    for (let round = 1; round <= Number(values.rounds); round += 1) {
      for (const kind of Object.keys(samples)) {
        const sample = await measure(kind, operation);
        samples[kind].push(sample);
        process.stderr.write(
          `${operation} round ${round} ${kind}: ${sample.throughput}/s, ${sample.cpuMs.toFixed(3)} ms CPU/request${sample.failed ? `, ${sample.failed} failed` : ''}${sample.commands ? `, ${sample.commands.perRequest} store commands/request ${JSON.stringify(sample.commands.byCommand)}` : ''}\n`,
        );
      }
    }
    const ratios = (kind) =>
      samples[kind].map((sample, index) => sample.cpuMs / samples.ceiling[index].cpuMs);
    // Without the ceiling in --kinds there is nothing to take a ratio to: the cell is the CPU alone.
    const cell = (kind) => {
      const cpu = median(samples[kind].map((sample) => sample.cpuMs)).toFixed(2);
      return kind === 'ceiling' || !samples.ceiling ? cpu : `${cpu} (${median(ratios(kind)).toFixed(1)}×)`;
    };
    const rates = Object.values(samples).map((list) => median(list.map((sample) => sample.throughput)));
    const commands = (kind) => {
      const figures = samples[kind]
        .map((sample) => sample.commands?.perRequest)
        .filter((f) => f !== undefined);
      return figures.length > 0 ? `${kind} ${median(figures)}` : undefined;
    };
    const counts = Object.keys(samples).map(commands).filter(Boolean).join(', ');
    rows.push(
      `| ${operation}-code | ${Object.keys(samples).map(cell).join(' | ')} | ${rates.join(' / ')} | ${counts} |`,
    );
  }
} finally {
  await infra.cleanUp().catch(() => undefined);
  await infra.close();
}
process.stdout.write(
  [
    `CPU ms per answered request ${values.rate ? `at ${values.rate} requests/s` : 'at saturation'}, median of ${values.rounds} interleaved rounds (ratio to the ceiling, per round, median)`,
    '',
    `| operation | ${values.kinds.split(',').join(' | ')} | req/s (in that order) | store commands/request (median) |`,
    `| --- | ${values.kinds
      .split(',')
      .map(() => '---')
      .join(' | ')} | --- | --- |`,
    ...rows,
    '',
  ].join('\n'),
);
