import { number, ownCpuMs, phase, settingsOf, storeName, table } from './format.mjs';

export function summary(results) {
  const { goals } = settingsOf(results);
  const lines = [];
  for (const operation of ['send', 'validate']) {
    const ours = phase(results, `otpflow.${operation}.saturation.1`);
    const ceiling = phase(results, `ceiling.${operation}.saturation.1`);
    if (!ours || !ceiling) continue;
    lines.push(
      `- **${operation}-code**: ${number(ours.throughput)} requests/s, ${number(ours.throughput / ceiling.throughput, 2)} of the ceiling's ${number(ceiling.throughput)}/s (goal ≥ ${goals.throughputRatio}: ${ours.throughput / ceiling.throughput >= goals.throughputRatio ? 'met' : 'not met'}); ${number(ours.storeCommands?.perRequest, 2)} store commands and ${number(ownCpuMs(ours, 'gateway'), 2)} ms of gateway CPU per request, ${number(ownCpuMs(ours, 'gateway') / ownCpuMs(ceiling, 'ceiling'), 1)} times the ceiling process's ${number(ownCpuMs(ceiling, 'ceiling'), 2)} ms (goal ≤ ${goals.cpuRatio}).`,
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

export function machineSection(results) {
  const { machine, versions, store } = results;
  const idle = machine.idleCpu;
  const { goals, idleMachineSeconds } = settingsOf(results);
  const busyShare = `${number(goals.otherBusyShare * 100)}%`;
  const busyPhases = results.phases.filter(
    (entry) => entry.cpu.groups.other / entry.cpu.wallSeconds > goals.otherBusyShare,
  );
  const quiet =
    busyPhases.length === 0
      ? `Other processes used less than ${busyShare} of one core during every measurement: the figures are not disturbed by other work.`
      : `**The machine was shared**: other processes used more than ${busyShare} of one core during ${busyPhases.length} of ${results.phases.length} measurements (${busyPhases.map((entry) => `\`${entry.id}\` ${number((entry.cpu.groups.other / entry.cpu.wallSeconds) * 100)}%`).join(', ')}); those figures are lower than this machine gives alone.`;
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
      `load average ${machine.loadAverage.join(' / ')}; ${number(idle.machineUtilisation * 100)}% of the machine busy during ${idleMachineSeconds} s idle`,
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

export function settingsSection(results) {
  const settings = settingsOf(results);
  const limits = Object.entries(settings.gatewayLimits)
    .map(([name, value]) => `\`${name}=${value}\``)
    .join(', ');
  return `## Settings and method

- Each measurement runs ${settings.durationSeconds} s; saturation measurements follow ${settings.warmupSeconds} s of unmeasured load. Saturation (\`bench/lib/load.mjs\`): ${settings.connections} connections, each sending its next request when the previous one is answered (round-robin over the gateway processes); when the time is up the requests in flight are waited for and counted (a server finishes a request its client dropped, so dropping them would leave their store commands and CPU in the next measurement); throughput counts 2xx answers over the whole time, that drain included. Fixed rate: an open-loop generator sends request _i_ at _start + i/rate_ and measures each latency from that due time, so queueing behind a slow answer is counted.
- The services run from their build output, one process each, with the telemetry hook (\`node --import @otpflow/telemetry/register services/<name>/dist/main.js\`), \`LOG_LEVEL=${settings.logLevel}\` (logs to files), a database and an \`AMQP_PREFIX\` of their own for the run, ${settings.queueType} queues, writes with \`{w: '${settings.writeConcern}'}\`, and the defaults for everything else (\`MONGODB_MAX_POOL_SIZE\` ${number(settings.serviceDefaults?.gatewayMongoPoolSize)} in the gateway, \`PREFETCH\` ${number(settings.serviceDefaults?.dispatcherPrefetch)} in the dispatcher).
- Gateway: one API key; \`TEST_NUMBERS\` with ${number(settings.testNumbers)} numbers (\`+3460000xxxx:${settings.code}\`, cycled), so send-code involves no provider; ${limits}, so no limit refuses a request (the limits are still counted in the store on every request, as in production). Send-code bodies use the CAMARA \`message\` with \`{{code}}\`.
- Validate-code presents the right code for a pending session once (a code validates once): before each validate-code measurement, ${number(settings.sessions)} pending codes are inserted with the gateway's own code hasher and addresses (for otpflow, each in its number's document; for the ceiling, a flat session).
- Before every measurement the per-request collections (numbers, sessions, claims, deliveries, limits) are emptied, so each starts from the same state; their sizes at the end of each measurement are in the raw results (\`tables\`).
- The ceiling (\`bench/ceiling-server.mjs\`): a bare \`node:http\` server with the same MongoDB driver settings (pool ${number(settings.serviceDefaults?.gatewayMongoPoolSize)}, \`{w: '${settings.writeConcern}'}\`) on the same server, and a confirm channel on the same broker. Send: one insert of a session-sized document, then one persistent, mandatory, confirmed publish of a ${settings.messageBytes}-byte message (the size of a real send job, read from the queue at the start of the run) to a durable ${settings.queueType} queue${settings.ceilingSendEvent ? ", then a `code.requested` event (a persistent publish to the events exchange, confirmed but not waited for, as the gateway's before 2026-12-02; `--ceiling-event`)" : " (one publish, as the gateway's: its job is also the code's `code.requested` event, routed to the events exchange by a BCC key; `--ceiling-event` adds the separate event publish the gateway made before 2026-12-02)"}. Validate, on a prefilled session: ${ceilingValidate(settings.ceilingAttemptStrategy)}
- End to end: send-code with real (non-test) Spanish mobile numbers; the dispatchers (\`SMS_PROVIDERS=webhook\`) post each SMS to an HTTP server in the bench process, which timestamps its arrival. The metrics service runs too, consuming the events as in production. The rate is codes delivered over the time from the first send to the last arrival (codes still queued when the load stops count against it; the bench waits up to ${settings.drainSeconds} s for them); latency is arrival minus send.
- Store commands per request: the gateways' own \`otpflow_store_commands_total\` (every command sent on the driver's pool connections, counted by default; \`MONGODB_COMMAND_METRICS\`) read from \`/metrics\` around each measurement, with the idle background subtracted. CPU per request: each process's user + system time from \`/proc\`. After otpflow's measurements the ceiling runs again at otpflow's fixed rate, so both CPU figures are also compared at one rate and one way of loading.
- Queues are purged between measurements; the run's databases and queues are removed at the end.`;
}

/**
 * The ceiling's validate-code as the run's results name it. Runs before 2026-12-02 did not record it:
 * they all used the one conditional update.
 */
function ceilingValidate(strategy = 'conditional-update') {
  if (strategy === 'claims') {
    return "the session's `findOne` by `_id`, then the `insertOne` of a claim `<id>~<attempt>` (a duplicate key: the next attempt), as the gateway's `ATTEMPT_STRATEGY=auto` does on a store whose conditional updates are not atomic (FerretDB v1): one conditional update there would not count attempts safely, so the ceiling keeps the guarantee the gateway must keep (`--ceiling-attempts conditional-update` measures the unsafe one-command ceiling of the runs before 2026-12-02).";
  }
  return "one `findOneAndUpdate` with the gateway's filter (`_id`, `clientId`, `status`, `expiresAt`, `attemptsLeft`) and `$inc`.";
}
