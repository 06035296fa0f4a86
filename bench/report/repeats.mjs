import { number, ownCpuMs, phase, table, workCpuMs } from './format.mjs';

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
export function repeatsSection(runs) {
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
