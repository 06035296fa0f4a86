import {
  commandList,
  cpuRatioCell,
  idleList,
  ms,
  number,
  ownCpuMs,
  phase,
  ratioCell,
  settingsOf,
  storeName,
  table,
  workCell,
  workCpuMs,
} from './format.mjs';

export function throughputSection(results) {
  const { goals } = settingsOf(results);
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
      ratioCell(ours && ceiling ? ours.throughput / ceiling.throughput : undefined, goals),
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

export function perRequestSection(results) {
  const { goals, backgroundSeconds, ceilingAttemptStrategy } = settingsOf(results);
  const ceilingValidate =
    ceilingAttemptStrategy === 'claims'
      ? "two for validate-code: the session's read and a claim's insert, the least that counts an attempt safely on a store whose conditional updates are not atomic"
      : 'a conditional update for validate-code';
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
      cpuRatioCell(gatewayMs && ceilingMs ? gatewayMs / ceilingMs : undefined, goals),
      matched
        ? `${number(gatewayFixedMs, 2)} / ${number(matchedMs, 2)} (${number(matched.targetRate, 1)}/s)`
        : 'n/a',
      number(gatewayFixedMs && matchedMs ? gatewayFixedMs / matchedMs : undefined, 1),
      workCell(workCpuMs(oursFixed, 'gateway'), workCpuMs(matched, 'ceiling'), goals),
    ];
  });
  const measured = results.phases.filter((entry) => entry.storeCommands);
  const commandRows = measured.map((entry) => [
    `\`${entry.id}\``,
    number(entry.storeCommands.perRequest, 2),
    commandList(entry.storeCommands, 10),
  ]);
  return `### Store commands and gateway CPU per request

Store commands are the gateway's own count (\`otpflow_store_commands_total{command,collection}\`, counted on
the MongoDB driver's pool connections, every command sent, retries included), read from \`/metrics\` before and after each measurement, less what
the gateways sent in ${backgroundSeconds} s idle just before (expiry sweeps,
background refills), per answered request. CPU is the process's own user + system time
(\`/proc/<pid>/stat\`) per answered request. The ceiling does one insert for send-code and ${ceilingValidate}. A process's CPU per request falls as its rate
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
${backgroundSeconds} s before each series: ${idleList(results)}), leaving the
requests' own work.${results.store?.kind === 'ferretdb' ? ` The fixed rates are low because the store is slow (${storeName(results.store)}), and at a few requests a second the idle share is a large part of each request's figure.` : ''}

Store commands per request in every measurement with a gateway (end to end: per accepted send-code; the
dispatchers' own commands are not in it):

${table(['measurement', 'store commands / request', 'by command and collection'], commandRows)}`;
}

export function latencySection(results) {
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
