import { ceilingSendPublishes } from './ceiling.mjs';

/** bench/profile.mjs's printed report: per operation, the gateway's figures (and the ceiling's), then each profile. */

function commandsLine(storeCommands) {
  const byCommand = Object.entries(storeCommands.byCommand)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  return `${storeCommands.perRequest ?? 'n/a'} store commands per request (${byCommand})`;
}

function profileLines(label, summary) {
  const lines = [];
  if (summary.byThread) {
    lines.push('', `${label} perf: ${summary.samples} samples; by thread`);
    for (const entry of summary.byThread) lines.push(`- ${entry.share}% ${entry.name}`);
    lines.push('', 'main thread, by where the sample was taken');
    for (const entry of summary.byLayer) lines.push(`- ${entry.share}% ${entry.name}`);
  } else {
    lines.push('', `${label} V8 profile (${summary.busyMs} ms busy, ${summary.idleMs} ms idle)`);
  }
  lines.push('', 'main thread, self time by owner');
  for (const entry of summary.byOwner) lines.push(`- ${entry.share}% ${entry.name}`);
  lines.push('', 'by function');
  for (const entry of summary.byFunction) lines.push(`- ${entry.share}% ${entry.name}`);
  if (summary.inclusive) {
    lines.push('', "otpflow's functions, inclusive (samples with the function on the stack)");
    for (const entry of summary.inclusive) lines.push(`- ${entry.share}% ${entry.name}`);
  }
  return lines;
}

/** One operation's section: `{ operation, load, gateway, ceiling?, ratio? }` as profile.mjs gathers it. */
function sectionLines({ operation, load, gateway, ceiling, ratio }) {
  const lines = [
    `## ${operation}-code: ${gateway.throughput} req/s under the profiler (${load})`,
    '',
    `gateway CPU ${gateway.cpuMsPerRequest} ms per request; ${commandsLine(gateway.storeCommands)}`,
  ];
  if (ceiling) {
    lines.push(
      `ceiling CPU ${ceiling.cpuMsPerRequest} ms per request at ${ceiling.throughput} req/s${operation === 'validate' ? ` (attempts: ${ceiling.attemptStrategy})` : ` (publishes ${ceilingSendPublishes(ceiling.sendEvent)})`}; ratio gateway/ceiling ${ratio ?? 'n/a'}`,
    );
  }
  for (const side of [gateway, ceiling]) {
    if (side?.profile) lines.push(...profileLines(side.kind, side.profile));
  }
  lines.push('');
  return lines;
}

export function profileReport(sections) {
  return `${sections.flatMap(sectionLines).join('\n')}\n`;
}
