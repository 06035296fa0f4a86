import { cpuPerRequest, ms, number, phase, table } from './format.mjs';

export function scalingSection(results) {
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

export function endToEndSection(results) {
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

export function cpuSection(results) {
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

export function memorySection(results) {
  return `### Peak resident memory (VmHWM)

${table(
  ['process', 'peak RSS (MiB)'],
  results.memory.map((entry) => [entry.label, number(entry.peakRssMiB, 1)]),
)}

Read from \`/proc/<pid>/status\` just before each process was stopped: the peak over its whole life in
the run.`;
}
