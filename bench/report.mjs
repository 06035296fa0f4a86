// Writes docs/BENCHMARKS.md from a run's raw results. `npm run bench` calls it at the end of a run;
// to re-render the latest (or a given) run without measuring again:
//   node bench/report.mjs [bench/results/<run>.json ...] [docs/BENCHMARKS.md]
// With several results files (runs of the same measurements, in the order they ran) the page is the
// last run's, with a section of every run's headline figures and their spread.
// The section "What limits the ratio" is bench/findings.md, written by hand from the profiling runs
// (bench/profile.mjs), and included as it is.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOAL = 0.8;
/** The gateway's own CPU per request may be at most this many times the ceiling process's. */
const CPU_GOAL = 2;

const number = (value, digits = 0) =>
  value === undefined || Number.isNaN(value)
    ? 'n/a'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value) => (value === undefined ? 'n/a' : `${number(value, value < 10 ? 1 : 0)} ms`);
const table = (header, rows) =>
  [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`]
    .concat(rows.map((row) => `| ${row.join(' | ')} |`))
    .join('\n');

function phase(results, id) {
  return results.phases.find((candidate) => candidate.id === id);
}

/** What the store, broker and services did per successful request, in CPU milliseconds. */
function cpuPerRequest(entry) {
  const done = entry.ok ?? entry.delivered ?? 0;
  if (!done) return {};
  return Object.fromEntries(
    Object.entries(entry.cpu.groups).map(([group, seconds]) => [group, (seconds * 1000) / done]),
  );
}

function ratioCell(value) {
  if (value === undefined) return 'n/a';
  return `**${number(value, 2)}** ${value >= GOAL ? '(goal met)' : `(goal ≥ ${GOAL} not met)`}`;
}

/** The gateway's (or the ceiling's) own CPU per answered request of a measurement, in ms. */
function ownCpuMs(entry, group) {
  return entry ? cpuPerRequest(entry)[group] : undefined;
}

/**
 * The same, less what the process spends idle over the measurement's time (its timers, the driver's
 * monitoring, heartbeats; measured just before, `idleCpuPerSecond`): the requests' own work. At the
 * low rates of a slow store the idle share is a large part of a request's figure.
 */
function workCpuMs(entry, group) {
  const idle = entry?.idleCpuPerSecond?.[group];
  const done = entry?.ok ?? 0;
  if (idle === undefined || !done) return undefined;
  const seconds = (entry.cpu.groups[group] ?? 0) - idle * entry.cpu.wallSeconds;
  return (Math.max(0, seconds) * 1000) / done;
}

function workCell(gatewayMs, ceilingMs) {
  if (gatewayMs === undefined || ceilingMs === undefined) return 'n/a';
  const ratio = ceilingMs > 0 ? gatewayMs / ceilingMs : undefined;
  return `${number(gatewayMs, 2)} / ${number(ceilingMs, 2)} (${ratio === undefined ? 'n/a' : cpuRatioCell(ratio)})`;
}

/** `gateway 4.5 ms, ceiling 0.6 ms of CPU a second`, as the fixed-rate comparison used them. */
function idleList(results) {
  // The one-gateway series' figures (a later scaling series measures several gateways together).
  const idle = (phase(results, 'ceiling.send.matched.1') ?? results.phases.at(-1))?.idleCpuPerSecond ?? {};
  const parts = Object.entries(idle).map(([group, seconds]) => `${group} ${number(seconds * 1000, 1)} ms`);
  return parts.length > 0 ? `${parts.join(', ')} of CPU a second` : 'not measured in this run';
}

function cpuRatioCell(value) {
  if (value === undefined) return 'n/a';
  return `**${number(value, 1)}** ${value <= CPU_GOAL ? '(goal met)' : `(goal ≤ ${CPU_GOAL} not met)`}`;
}

/** `insert sessions 1.00, update limits_sends 1.00, …` */
function commandList(storeCommands, top = 6) {
  if (!storeCommands) return 'n/a';
  // Background work that happened to fall in the window (an expiry sweep) rounds to 0.00: not listed.
  const entries = Object.entries(storeCommands.byCommand).filter(([, count]) => count >= 0.005);
  const shown = entries.slice(0, top).map(([name, count]) => `${name} ${number(count, 2)}`);
  if (entries.length > top) shown.push(`${entries.length - top} more`);
  return shown.join(', ') || 'none';
}

function summary(results) {
  const lines = [];
  for (const operation of ['send', 'validate']) {
    const ours = phase(results, `otpflow.${operation}.saturation.1`);
    const ceiling = phase(results, `ceiling.${operation}.saturation.1`);
    if (!ours || !ceiling) continue;
    lines.push(
      `- **${operation}-code**: ${number(ours.throughput)} requests/s, ${number(ours.throughput / ceiling.throughput, 2)} of the ceiling's ${number(ceiling.throughput)}/s (goal ≥ ${GOAL}: ${ours.throughput / ceiling.throughput >= GOAL ? 'met' : 'not met'}); ${number(ours.storeCommands?.perRequest, 2)} store commands and ${number(ownCpuMs(ours, 'gateway'), 2)} ms of gateway CPU per request, ${number(ownCpuMs(ours, 'gateway') / ownCpuMs(ceiling, 'ceiling'), 1)} times the ceiling process's ${number(ownCpuMs(ceiling, 'ceiling'), 2)} ms (goal ≤ ${CPU_GOAL}).`,
    );
  }
  const e2e = results.phases.filter((entry) => entry.id.startsWith('e2e.saturation.'));
  if (e2e.length > 0) {
    const best = e2e.reduce((a, b) => (b.codesPerSecond > a.codesPerSecond ? b : a));
    lines.push(
      `- **End to end** (send-code to arrival at the SMS webhook): up to ${number(best.codesPerSecond, 1)} codes/s (${best.dispatchers} dispatcher${best.dispatchers > 1 ? 's' : ''}).`,
    );
  }
  return lines.join('\n');
}

/** The store as the report names it: FerretDB and its backend (PostgreSQL is a process of its own). */
function storeName(store) {
  if (store.kind !== 'ferretdb') return 'MongoDB';
  return store.backend === 'postgresql' ? 'FerretDB and PostgreSQL' : `FerretDB (${store.backend} backend)`;
}

function machineSection(results) {
  const { machine, versions, store } = results;
  const idle = machine.idleCpu;
  const busyPhases = results.phases.filter((entry) => entry.cpu.groups.other / entry.cpu.wallSeconds > 0.15);
  const quiet =
    busyPhases.length === 0
      ? 'Other processes used less than 15% of one core during every measurement: the figures are not disturbed by other work.'
      : `**The machine was shared**: other processes used more than 15% of one core during ${busyPhases.length} of ${results.phases.length} measurements (${busyPhases.map((entry) => `\`${entry.id}\` ${number((entry.cpu.groups.other / entry.cpu.wallSeconds) * 100)}%`).join(', ')}); those figures are lower than this machine gives alone.`;
  return `## Machine

${table(
  ['', ''],
  [
    ['CPU', machine.cpuModel],
    ['cores', String(machine.cores)],
    ['memory', `${machine.memoryGiB} GiB`],
    ['kernel', machine.kernel],
    [
      'before the run',
      `load average ${machine.loadAverage.join(' / ')}; ${number(idle.machineUtilisation * 100)}% of the machine busy during 5 s idle`,
    ],
  ],
)}

${quiet} Everything runs on this one machine: the load generator, the services, RabbitMQ and ${storeName(store)} share its ${machine.cores} cores, so a process added for scaling takes CPU from the others.

## Versions

${table(
  ['Node', 'RabbitMQ', 'Erlang/OTP', 'FerretDB', ...(store.backend === 'postgresql' ? ['PostgreSQL'] : [])],
  [
    [
      versions.node,
      versions.rabbitmq,
      versions.erlang ?? 'n/a',
      `${versions.ferretdb} (${store.backend} backend)`,
      ...(store.backend === 'postgresql' ? [versions.postgresql] : []),
    ],
  ],
)}`;
}

function settingsSection(results) {
  const { settings } = results;
  return `## Settings and method

- Each measurement runs ${settings.durationSeconds} s; saturation measurements follow ${settings.warmupSeconds} s of unmeasured load. Saturation (\`bench/lib/load.mjs\`): ${settings.connections} connections, each sending its next request when the previous one is answered (round-robin over the gateway processes); when the time is up the requests in flight are waited for and counted (a server finishes a request its client dropped, so dropping them would leave their store commands and CPU in the next measurement); throughput counts 2xx answers over the whole time, that drain included. Fixed rate: an open-loop generator sends request _i_ at _start + i/rate_ and measures each latency from that due time, so queueing behind a slow answer is counted.
- The services run from their build output, one process each, with the telemetry hook (\`node --import @otpflow/telemetry/register services/<name>/dist/main.js\`), \`LOG_LEVEL=${settings.logLevel}\` (logs to files), a database and an \`AMQP_PREFIX\` of their own for the run, quorum queues, writes with \`{w: '${settings.writeConcern}'}\`, and the defaults for everything else (\`MONGODB_MAX_POOL_SIZE\` 50 in the gateway, \`PREFETCH\` 32 in the dispatcher).
- Gateway: one API key; \`TEST_NUMBERS\` with ${number(settings.testNumbers)} numbers (\`+3460000xxxx:123456\`, cycled), so send-code involves no provider; \`MAX_SENDS=1000\`, \`SEND_WINDOW_SECONDS=60\`, \`CLIENT_RATE_LIMIT\` and \`CLIENT_QUOTA\` at 10⁹, so no limit refuses a request (the limits are still counted in the store on every request, as in production). Send-code bodies use the CAMARA \`message\` with \`{{code}}\`.
- Validate-code presents the right code for a pending session once (a code validates once): before each validate-code measurement, ${number(settings.sessions)} pending codes are inserted with the gateway's own code hasher and addresses (for otpflow, each in its number's document; for the ceiling, a flat session).
- Before every measurement the per-request collections (numbers, sessions, claims, deliveries, limits) are emptied, so each starts from the same state; their sizes at the end of each measurement are in the raw results (\`tables\`).
- The ceiling (\`bench/ceiling-server.mjs\`): a bare \`node:http\` server with the same MongoDB driver settings (pool 50, \`{w: 'majority'}\`) on the same server, and a confirm channel on the same broker. Send: one insert of a session-sized document, then one persistent, mandatory, confirmed publish of a ${settings.messageBytes}-byte message (the size of a real send job, read from the queue at the start of the run) to a durable quorum queue. Validate: one \`findOneAndUpdate\` with the gateway's filter (\`_id\`, \`clientId\`, \`status\`, \`expiresAt\`, \`attemptsLeft\`) and \`$inc\` on a prefilled session.
- End to end: send-code with real (non-test) Spanish mobile numbers; the dispatchers (\`SMS_PROVIDERS=webhook\`) post each SMS to an HTTP server in the bench process, which timestamps its arrival. The metrics service runs too, consuming the events as in production. The rate is codes delivered over the time from the first send to the last arrival (codes still queued when the load stops count against it; the bench waits up to ${settings.drainSeconds} s for them); latency is arrival minus send.
- Store commands per request: the gateways' own \`otpflow_store_commands_total\` (MongoDB command monitoring, on by default) read from \`/metrics\` around each measurement, with the idle background subtracted. CPU per request: each process's user + system time from \`/proc\`. After otpflow's measurements the ceiling runs again at otpflow's fixed rate, so both CPU figures are also compared at one rate and one way of loading.
- Queues are purged between measurements; the run's databases and queues are removed at the end.`;
}

function throughputSection(results) {
  const rows = [];
  for (const operation of ['send', 'validate']) {
    const ours = phase(results, `otpflow.${operation}.saturation.1`);
    const ceiling = phase(results, `ceiling.${operation}.saturation.1`);
    rows.push([
      `${operation}-code`,
      number(ours?.throughput, 1),
      ours ? `${ms(ours.latency.p50)} / ${ms(ours.latency.p99)}` : 'n/a',
      number(ceiling?.throughput, 1),
      ceiling ? `${ms(ceiling.latency.p50)} / ${ms(ceiling.latency.p99)}` : 'n/a',
      ratioCell(ours && ceiling ? ours.throughput / ceiling.throughput : undefined),
    ]);
  }
  const notes = results.phases
    .filter(
      (entry) => entry.mode === 'saturation' && (entry.non2xx > 0 || entry.errors > 0 || entry.poolExhausted),
    )
    .map(
      (entry) =>
        `\`${entry.id}\`: ${entry.non2xx} non-2xx answers (${JSON.stringify(entry.statusCodes)}), ${entry.errors} errors${entry.poolExhausted ? ', ran out of prefilled sessions' : ''}.`,
    );
  return `### Throughput at saturation, and the ratio to the ceiling

${table(
  [
    'operation',
    'otpflow, 1 gateway (req/s)',
    'p50 / p99',
    'ceiling (req/s)',
    'p50 / p99',
    'otpflow / ceiling',
  ],
  rows,
)}

Latencies here are at saturation (${results.settings.connections} requests always in flight), so they are mostly queueing.${notes.length > 0 ? `\n\nNot every answer was a success: ${notes.join(' ')}` : ''}`;
}

function perRequestSection(results) {
  const rows = ['send', 'validate'].map((operation) => {
    const ours = phase(results, `otpflow.${operation}.saturation.1`);
    const ceiling = phase(results, `ceiling.${operation}.saturation.1`);
    const oursFixed = phase(results, `otpflow.${operation}.fixed.1`);
    const matched = phase(results, `ceiling.${operation}.matched.1`);
    const gatewayMs = ownCpuMs(ours, 'gateway');
    const ceilingMs = ownCpuMs(ceiling, 'ceiling');
    const gatewayFixedMs = ownCpuMs(oursFixed, 'gateway');
    const matchedMs = ownCpuMs(matched, 'ceiling');
    return [
      `${operation}-code`,
      number(ours?.storeCommands?.perRequest, 2),
      commandList(ours?.storeCommands),
      number(gatewayMs, 2),
      number(ceilingMs, 2),
      cpuRatioCell(gatewayMs && ceilingMs ? gatewayMs / ceilingMs : undefined),
      matched
        ? `${number(gatewayFixedMs, 2)} / ${number(matchedMs, 2)} (${number(matched.targetRate, 1)}/s)`
        : 'n/a',
      number(gatewayFixedMs && matchedMs ? gatewayFixedMs / matchedMs : undefined, 1),
      workCell(workCpuMs(oursFixed, 'gateway'), workCpuMs(matched, 'ceiling')),
    ];
  });
  const measured = results.phases.filter((entry) => entry.storeCommands);
  const commandRows = measured.map((entry) => [
    `\`${entry.id}\``,
    number(entry.storeCommands.perRequest, 2),
    commandList(entry.storeCommands, 10),
  ]);
  return `### Store commands and gateway CPU per request

Store commands are the gateway's own count (\`otpflow_store_commands_total{command,collection}\`, from the
MongoDB driver's command monitoring), read from \`/metrics\` before and after each measurement, less what
the gateways sent in ${results.settings.backgroundSeconds ?? 5} s idle just before (expiry sweeps,
background refills), per answered request. CPU is the process's own user + system time
(\`/proc/<pid>/stat\`) per answered request. The ceiling does one store command per request (an insert for
send-code, a conditional update for validate-code). A process's CPU per request falls as its rate
rises (each wake-up of its event loop is shared by more requests), so the saturation ratio also
measures the difference in throughput; the last two columns compare the two at one fixed rate (the
ceiling loaded again at otpflow's fixed rate, "ceiling at otpflow's rate").

${table(
  [
    'operation',
    'store commands / request',
    'by command and collection',
    'gateway CPU (ms / request)',
    'ceiling CPU (ms / request)',
    'gateway / ceiling',
    'at one fixed rate: gateway / ceiling (ms / request)',
    'ratio at one rate',
    'at one rate, idle subtracted: gateway / ceiling (ratio)',
  ],
  rows,
)}

The last column takes from each process's CPU what it spends idle over the same time (measured for
${results.settings.backgroundSeconds ?? 5} s before each series: ${idleList(results)}), leaving the
requests' own work.${results.store?.kind === 'ferretdb' ? ` The fixed rates are low because the store is slow (${storeName(results.store)}), and at a few requests a second the idle share is a large part of each request's figure.` : ''}

Store commands per request in every measurement with a gateway (end to end: per accepted send-code; the
dispatchers' own commands are not in it):

${table(['measurement', 'store commands / request', 'by command and collection'], commandRows)}`;
}

function latencySection(results) {
  const rows = ['otpflow', 'ceiling'].flatMap((part) =>
    ['send', 'validate'].map((operation) => {
      const entry = phase(results, `${part}.${operation}.fixed.1`);
      if (!entry) return [part, `${operation}-code`, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a'];
      return [
        part,
        `${operation}-code`,
        number(entry.targetRate, 1),
        number(entry.achievedRate, 1),
        ms(entry.latency.p50),
        ms(entry.latency.p90),
        ms(entry.latency.p99),
        ms(entry.latency.max),
        `${entry.ok} / ${entry.requests}`,
      ];
    }),
  );
  return `### Latency at a fixed rate of half the saturation throughput

${table(['server', 'operation', 'rate (req/s)', 'achieved', 'p50', 'p90', 'p99', 'max', '2xx / sent'], rows)}`;
}

function scalingSection(results) {
  const counts = [
    ...new Set(
      results.phases
        .filter((entry) => entry.part === 'otpflow' && entry.mode === 'saturation')
        .map((entry) => entry.gateways),
    ),
  ].sort((a, b) => a - b);
  if (counts.length === 0) return '';
  const one = {
    send: phase(results, 'otpflow.send.saturation.1')?.throughput,
    validate: phase(results, 'otpflow.validate.saturation.1')?.throughput,
  };
  const rows = counts.map((count) => {
    const send = phase(results, `otpflow.send.saturation.${count}`);
    const validate = phase(results, `otpflow.validate.saturation.${count}`);
    const cores = (entry) =>
      entry ? number((entry.cpu.groups.gateway ?? 0) / entry.cpu.wallSeconds, 2) : 'n/a';
    const busy = (entry) => (entry ? `${number(entry.cpu.machineUtilisation * 100)}%` : 'n/a');
    return [
      String(count),
      `${number(send?.throughput, 1)} (×${number(send && one.send ? send.throughput / one.send : undefined, 2)})`,
      `${number(validate?.throughput, 1)} (×${number(validate && one.validate ? validate.throughput / one.validate : undefined, 2)})`,
      `${cores(send)} / ${cores(validate)}`,
      `${busy(send)} / ${busy(validate)}`,
    ];
  });
  return `### Scaling with gateway processes (saturation, ${results.settings.connections} connections round-robin)

${table(['gateways', 'send-code (req/s)', 'validate-code (req/s)', 'cores used by gateways (send / validate)', 'machine busy (send / validate)'], rows)}`;
}

function endToEndSection(results) {
  const entries = results.phases.filter((entry) => entry.part === 'e2e');
  if (entries.length === 0) return '';
  const rows = entries.map((entry) => [
    String(entry.dispatchers),
    entry.mode === 'saturation' ? 'saturation' : `${number(entry.targetRate, 1)} req/s`,
    number(entry.gateway.throughput, 1),
    `**${number(entry.codesPerSecond, 1)}**`,
    `${entry.delivered} / ${entry.accepted}`,
    ms(entry.latency.p50),
    ms(entry.latency.p90),
    ms(entry.latency.p99),
    ms(entry.latency.max),
  ]);
  return `### End to end: send-code to arrival at the SMS webhook

${table(['dispatchers', 'send-code load', 'send-code answered (req/s)', 'codes delivered/s', 'delivered / accepted', 'p50', 'p90', 'p99', 'max'], rows)}

Under saturation the latency is mostly the backlog in the send queue; the fixed-rate row shows the path
itself at half the one-dispatcher throughput.`;
}

function cpuSection(results) {
  const groups = [
    'gateway',
    'ceiling',
    'dispatcher',
    'metrics',
    'ferretdb',
    'postgresql',
    'rabbitmq',
    'load generator (bench)',
    'other',
  ];
  // With another FerretDB backend a PostgreSQL on the machine is not the store's: its CPU is other work.
  const ownPostgres = results.store?.backend === 'postgresql';
  const rows = results.phases.map((entry) => {
    const perRequest = cpuPerRequest(entry);
    if (!ownPostgres && perRequest.postgresql !== undefined) {
      perRequest.other = (perRequest.other ?? 0) + perRequest.postgresql;
      delete perRequest.postgresql;
    }
    return [
      `\`${entry.id}\``,
      `${number(entry.cpu.machineUtilisation * 100)}%`,
      // An idle process (the gateway while the ceiling runs) shows as blank, not as 0.0.
      ...groups
        .filter((group) => ownPostgres || group !== 'postgresql')
        .map((group) => ((perRequest[group] ?? 0) >= 0.05 ? number(perRequest[group], 1) : '')),
      number(entry.tables?.numbers ?? entry.tables?.sessions),
    ];
  });
  return `### Where the CPU went

CPU milliseconds per successful request (per delivered code end to end), by process, from
\`/proc/<pid>/stat\` over each measurement; "other" is everything else the machine did (the kernel's
share not charged to a process, processes too short-lived to be sampled, and other users' work).

${table(['measurement', 'machine busy', ...groups.filter((group) => ownPostgres || group !== 'postgresql'), 'documents at end (numbers, or sessions for the ceiling)'], rows)}`;
}

/** One run's headline figures for an operation: throughput ratio, CPU per request and their ratios. */
function headline(results, operation) {
  const ours = phase(results, `otpflow.${operation}.saturation.1`);
  const ceiling = phase(results, `ceiling.${operation}.saturation.1`);
  const gatewayFixed = ownCpuMs(phase(results, `otpflow.${operation}.fixed.1`), 'gateway');
  const matched = ownCpuMs(phase(results, `ceiling.${operation}.matched.1`), 'ceiling');
  const gatewayMs = ownCpuMs(ours, 'gateway');
  const ceilingMs = ownCpuMs(ceiling, 'ceiling');
  return {
    throughputRatio: ours && ceiling ? ours.throughput / ceiling.throughput : undefined,
    commands: ours?.storeCommands?.perRequest,
    gatewayMs,
    ceilingMs,
    cpuRatio: gatewayMs && ceilingMs ? gatewayMs / ceilingMs : undefined,
    gatewayFixed,
    matched,
    matchedRatio: gatewayFixed && matched ? gatewayFixed / matched : undefined,
    workRatio: (() => {
      const gatewayWork = workCpuMs(phase(results, `otpflow.${operation}.fixed.1`), 'gateway');
      const ceilingWork = workCpuMs(phase(results, `ceiling.${operation}.matched.1`), 'ceiling');
      return gatewayWork !== undefined && ceilingWork ? gatewayWork / ceilingWork : undefined;
    })(),
  };
}

function spread(values, digits) {
  const known = values.filter((value) => value !== undefined && !Number.isNaN(value)).sort((a, b) => a - b);
  if (known.length === 0) return 'n/a';
  const middle = Math.floor(known.length / 2);
  const median = known.length % 2 === 1 ? known[middle] : (known[middle - 1] + known[middle]) / 2;
  return `${number(median, digits)} (${number(known[0], digits)}–${number(known.at(-1), digits)})`;
}

/**
 * The same measurements repeated (`node bench/report.mjs a.json b.json c.json`): each run's
 * headline figures, and their median and range. On a shared machine one run's ratio is noisy.
 */
function repeatsSection(runs) {
  if (runs.length < 2) return '';
  const rows = runs.flatMap((run) =>
    ['send', 'validate'].map((operation) => {
      const figures = headline(run, operation);
      return [
        `\`${run.runId}\``,
        `${operation}-code`,
        number(run.machine.loadAverage[0], 1),
        number(figures.throughputRatio, 2),
        number(figures.commands, 2),
        `${number(figures.gatewayMs, 2)} / ${number(figures.ceilingMs, 2)}`,
        number(figures.cpuRatio, 1),
        `${number(figures.gatewayFixed, 2)} / ${number(figures.matched, 2)}`,
        number(figures.matchedRatio, 1),
        number(figures.workRatio, 1),
      ];
    }),
  );
  const summaryRows = ['send', 'validate'].map((operation) => {
    const all = runs.map((run) => headline(run, operation));
    const of = (key) => all.map((figures) => figures[key]);
    return [
      `${operation}-code`,
      spread(of('throughputRatio'), 2),
      spread(of('commands'), 2),
      spread(of('gatewayMs'), 2),
      spread(of('ceilingMs'), 2),
      spread(of('cpuRatio'), 1),
      spread(of('matchedRatio'), 1),
      spread(of('workRatio'), 1),
    ];
  });
  return `### Repeated runs

The ceiling and one gateway measured ${runs.length} times, one run after another (this page's run is
the last); each run sets otpflow beside the ceiling at one time, so the ratios are the figures to
compare. Gateway and ceiling CPU are each process's own, per answered request.

${table(
  [
    'run',
    'operation',
    'load average at start',
    'otpflow / ceiling (throughput)',
    'store commands / request',
    'CPU ms / request, saturation: gateway / ceiling',
    'ratio',
    'CPU ms / request at one fixed rate: gateway / ceiling',
    'ratio',
    'ratio, idle subtracted',
  ],
  rows,
)}

Median (lowest–highest) over the ${runs.length} runs:

${table(
  [
    'operation',
    'otpflow / ceiling (throughput)',
    'store commands / request',
    'gateway CPU (ms / request)',
    'ceiling CPU (ms / request)',
    'gateway / ceiling at saturation',
    'gateway / ceiling at one fixed rate',
    'the same, idle subtracted',
  ],
  summaryRows,
)}`;
}

function memorySection(results) {
  return `### Peak resident memory (VmHWM)

${table(
  ['process', 'peak RSS (MiB)'],
  results.memory.map((entry) => [entry.label, number(entry.peakRssMiB, 1)]),
)}

Read from \`/proc/<pid>/status\` just before each process was stopped: the peak over its whole life in
the run.`;
}

export function renderReport(results, findings, runs = [results]) {
  const date = results.startedAt.slice(0, 10);
  return `# Benchmarks

<!-- Generated by bench/report.mjs from bench/results/${results.runId}.json. Edit the script, or bench/findings.md for the last section, not this file. -->

Measured on ${date} on this project's development machine (2 cores, shared by the whole stack) with
\`${results.command}\`, run \`${results.runId}\`. Otpflow's figures are the built services in their own
processes, as deployed; the ceiling is a bare Node server doing only the store and broker work that
one request cannot avoid, on the same store and broker. The ratio between the two is the figure that
carries over to other machines; the absolute rates are this machine's. The store is
${storeName(results.store)}${results.store?.kind === 'ferretdb' ? ` ${results.versions.ferretdb}: every store figure on this page (rates, latencies, its CPU) is that store's, not MongoDB's` : ''}.

${summary(results)}

${machineSection(results)}

${settingsSection(results)}

## Results

${throughputSection(results)}

${perRequestSection(results)}

${repeatsSection(runs)}

${latencySection(results)}

${scalingSection(results)}

${endToEndSection(results)}

${cpuSection(results)}

${memorySection(results)}

## What limits the ratio

${findings.trim()}

## Reproduce

\`\`\`sh
scripts/services.sh start          # RabbitMQ and FerretDB on loopback, if they are not running
npm run bench                      # about 7 minutes; npm run bench -- --help for the options
npm run bench -- --duration 10     # shorter measurements
node bench/profile.mjs             # the gateway's CPU and store commands per request, and its on-CPU profile
node bench/http-layer.mjs          # the gateway's HTTP layer alone against a bare node:http server
node bench/compare.mjs --base DIR  # another built checkout's gateway beside this one and the ceiling
\`\`\`

Raw results go to \`bench/results/<run>.json\` (git-ignored) and the services' logs to
\`bench/results/logs/<run>/\`; \`node bench/report.mjs [results.json]\` renders this page again from a
results file.
`;
}

export async function writeReport(results, path, runs = [results]) {
  const findingsFile = join(ROOT, 'bench/findings.md');
  const findings = existsSync(findingsFile)
    ? readFileSync(findingsFile, 'utf8').replace(/^#[^\n]*\n/, '')
    : '_Not profiled yet: see bench/profile.mjs._';
  const markdown = renderReport(results, findings, runs);
  const config = (await prettier.resolveConfig(path)) ?? {};
  writeFileSync(path, await prettier.format(markdown, { ...config, parser: 'markdown', filepath: path }));
}

function latestResults() {
  const dir = join(ROOT, 'bench/results');
  const files = readdirSync(dir)
    .filter((name) => /^bench_.*\.json$/.test(name))
    .sort();
  if (files.length === 0) throw new Error('no results in bench/results: run npm run bench first');
  return join(dir, files[files.length - 1]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Results files (.json) in the order they ran, the last one the page's; a .md argument is the page.
  const args = process.argv.slice(2);
  const files = args.filter((arg) => arg.endsWith('.json'));
  if (files.length === 0) files.push(latestResults());
  const output = args.find((arg) => arg.endsWith('.md')) ?? join(ROOT, 'docs/BENCHMARKS.md');
  const runs = files.map((file) => JSON.parse(readFileSync(file, 'utf8')));
  await writeReport(runs.at(-1), output, runs);
  process.stderr.write(
    `wrote ${relative(ROOT, output)} from ${files.map((file) => relative(ROOT, file)).join(', ')}\n`,
  );
}
