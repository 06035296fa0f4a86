import { BENCH_CODE, GATEWAY_LIMITS } from '../lib/documents.mjs';
import { FIXED_SETTINGS } from '../lib/options.mjs';

// What every section of docs/BENCHMARKS.md formats with, and the run's settings it reads.

export const number = (value, digits = 0) =>
  value === undefined || Number.isNaN(value)
    ? 'n/a'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const ms = (value) => (value === undefined ? 'n/a' : `${number(value, value < 10 ? 1 : 0)} ms`);
export const table = (header, rows) =>
  [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`]
    .concat(rows.map((row) => `| ${row.join(' | ')} |`))
    .join('\n');

/**
 * The run's settings, as its results state them. A results file written before a setting was
 * recorded gets the value the bench ran with then (its own defaults, the one place they are written).
 */
export function settingsOf(results) {
  return { ...FIXED_SETTINGS, code: BENCH_CODE, gatewayLimits: GATEWAY_LIMITS, ...results.settings };
}

export function phase(results, id) {
  return results.phases.find((candidate) => candidate.id === id);
}

/** What the store, broker and services did per successful request, in CPU milliseconds. */
export function cpuPerRequest(entry) {
  const done = entry.ok ?? entry.delivered ?? 0;
  if (!done) return {};
  return Object.fromEntries(
    Object.entries(entry.cpu.groups).map(([group, seconds]) => [group, (seconds * 1000) / done]),
  );
}

/** The gateway's (or the ceiling's) own CPU per answered request of a measurement, in ms. */
export function ownCpuMs(entry, group) {
  return entry ? cpuPerRequest(entry)[group] : undefined;
}

/**
 * The same, less what the process spends idle over the measurement's time (its timers, the driver's
 * monitoring, heartbeats; measured just before, `idleCpuPerSecond`): the requests' own work. At the
 * low rates of a slow store the idle share is a large part of a request's figure.
 */
export function workCpuMs(entry, group) {
  const idle = entry?.idleCpuPerSecond?.[group];
  const done = entry?.ok ?? 0;
  if (idle === undefined || !done) return undefined;
  const seconds = (entry.cpu.groups[group] ?? 0) - idle * entry.cpu.wallSeconds;
  return (Math.max(0, seconds) * 1000) / done;
}

/** `insert sessions 1.00, update limits_sends 1.00, …` */
export function commandList(storeCommands, top = 6) {
  if (!storeCommands) return 'n/a';
  // Background work that happened to fall in the window (an expiry sweep) rounds to 0.00: not listed.
  const entries = Object.entries(storeCommands.byCommand).filter(([, count]) => count >= 0.005);
  const shown = entries.slice(0, top).map(([name, count]) => `${name} ${number(count, 2)}`);
  if (entries.length > top) shown.push(`${entries.length - top} more`);
  return shown.join(', ') || 'none';
}

/** The store as the report names it: FerretDB and its backend (PostgreSQL is a process of its own). */
export function storeName(store) {
  if (store.kind !== 'ferretdb') return 'MongoDB';
  return store.backend === 'postgresql' ? 'FerretDB and PostgreSQL' : `FerretDB (${store.backend} backend)`;
}

/** A throughput ratio against the run's goal. */
export function ratioCell(value, goals) {
  if (value === undefined) return 'n/a';
  const goal = goals.throughputRatio;
  return `**${number(value, 2)}** ${value >= goal ? '(goal met)' : `(goal ≥ ${goal} not met)`}`;
}

/** A CPU ratio against the run's goal. */
export function cpuRatioCell(value, goals) {
  if (value === undefined) return 'n/a';
  const goal = goals.cpuRatio;
  return `**${number(value, 1)}** ${value <= goal ? '(goal met)' : `(goal ≤ ${goal} not met)`}`;
}

export function workCell(gatewayMs, ceilingMs, goals) {
  if (gatewayMs === undefined || ceilingMs === undefined) return 'n/a';
  const ratio = ceilingMs > 0 ? gatewayMs / ceilingMs : undefined;
  return `${number(gatewayMs, 2)} / ${number(ceilingMs, 2)} (${ratio === undefined ? 'n/a' : cpuRatioCell(ratio, goals)})`;
}

/** `gateway 4.5 ms, ceiling 0.6 ms of CPU a second`, as the fixed-rate comparison used them. */
export function idleList(results) {
  // The one-gateway series' figures (a later scaling series measures several gateways together).
  const idle = (phase(results, 'ceiling.send.matched.1') ?? results.phases.at(-1))?.idleCpuPerSecond ?? {};
  const parts = Object.entries(idle).map(([group, seconds]) => `${group} ${number(seconds * 1000, 1)} ms`);
  return parts.length > 0 ? `${parts.join(', ')} of CPU a second` : 'not measured in this run';
}
