import { latencySummary } from '../lib/latency.mjs';
import { latencyPerMinute, memoryTrend, slope } from './stats.mjs';

// What the report makes of the run's readings; every threshold comes from the run's settings.

/** The answers by kind and by status, the unexpected ones apart. */
export function answerCounts(samples) {
  const byKind = {};
  const unexpectedByOutcome = {};
  const byStatus = {};
  const unexpectedByStatus = {};
  for (const sample of samples) {
    byKind[sample.kind] ??= { count: 0, outcomes: {} };
    byKind[sample.kind].count += 1;
    byKind[sample.kind].outcomes[sample.outcome] = (byKind[sample.kind].outcomes[sample.outcome] ?? 0) + 1;
    const status = sample.outcome.split(' ')[0];
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (sample.ok) continue;
    unexpectedByOutcome[sample.outcome] = (unexpectedByOutcome[sample.outcome] ?? 0) + 1;
    unexpectedByStatus[status] = (unexpectedByStatus[status] ?? 0) + 1;
  }
  return { byKind, byStatus, unexpectedByOutcome, unexpectedByStatus };
}

/** Latency overall, by kind and per minute; the drift compares the first and last full minutes. */
export function latencyReport(samples, kinds, settings) {
  const perMinute = latencyPerMinute(samples);
  // The last minute is often partial.
  const full = perMinute.filter((minute) => minute.count >= settings.rate * settings.fullMinuteSeconds);
  const firstMinute = full[0];
  const lastMinute = full.at(-1);
  return {
    overall: latencySummary(samples.map((sample) => sample.ms)),
    byKind: Object.fromEntries(
      kinds.map((kind) => [
        kind,
        latencySummary(samples.filter((sample) => sample.kind === kind).map((sample) => sample.ms)),
      ]),
    ),
    perMinute,
    drift: firstMinute &&
      lastMinute && {
        firstMinute: { minute: firstMinute.minute, p50: firstMinute.p50, p99: firstMinute.p99 },
        lastMinute: { minute: lastMinute.minute, p50: lastMinute.p50, p99: lastMinute.p99 },
        p50ChangeMs: Math.round((lastMinute.p50 - firstMinute.p50) * 10) / 10,
        p99ChangeMs: Math.round((lastMinute.p99 - firstMinute.p99) * 10) / 10,
      },
  };
}

/** RSS per process over the samples: growth and slope, over all and after the warm-up. */
export function memoryReport(samples, names, settings) {
  return Object.fromEntries(
    names.map((name) => {
      const points = samples
        .map((sample) => [sample.at, sample.processes[name]?.rssBytes])
        .filter(([, bytes]) => bytes !== undefined);
      return [name, memoryTrend(points, settings.warmupSeconds)];
    }),
  );
}

/** Retained memory: heap after a forced GC, the first reading after the warm-up against the last. */
export function retainedReport(retained, names, settings) {
  const report = {};
  for (const name of names) {
    const readings = retained
      .filter((entry) => entry[name]?.heapUsedMb !== undefined)
      .map((entry) => ({ at: entry.at, ...entry[name] }));
    const settled = readings.filter((reading) => reading.at >= settings.warmupSeconds);
    const first = settled[0] ?? readings[0];
    const last = readings.at(-1);
    if (!first || !last) continue;
    const perMinute = slope(settled.map((reading) => [reading.at / 60, reading.heapUsedMb]));
    report[name] = {
      readings: readings.length,
      heapAfterGcMb: [first.heapUsedMb, last.heapUsedMb],
      externalAfterGcMb: [first.externalMb, last.externalMb],
      fromSecond: first.at,
      heapSlopeMbPerMinute: perMinute === undefined ? undefined : Math.round(perMinute * 1000) / 1000,
    };
  }
  return report;
}

/** Average CPU per process over the samples. */
export function averageCpu(samples, names) {
  return Object.fromEntries(
    names.map((name) => {
      const values = samples
        .map((sample) => sample.processes[name]?.cpuPercent)
        .filter((v) => v !== undefined);
      const average = values.length
        ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10
        : undefined;
      return [name, average];
    }),
  );
}
