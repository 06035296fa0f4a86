import { loadavg } from 'node:os';
import { answerCounts, averageCpu, latencyReport, memoryReport, retainedReport } from './analysis.mjs';
import { MIX } from './mix.mjs';
import { SERVICE_SETTINGS } from './services.mjs';

/** What the run was asked to do and ran with: the report judges by these, never by retyped values. */
export function runSettings(options, { backend }) {
  return {
    minutes: options.minutes,
    rate: options.rate,
    mix: MIX,
    realNumbers: options.realNumbers,
    testNumbers: options.testNumbers,
    sampleSeconds: options.sampleSeconds,
    gcSeconds: options.gcSeconds,
    warmupSeconds: options.warmupSeconds,
    drainSeconds: options.drainSeconds,
    countSeconds: options.countSeconds,
    stallSeconds: options.stallSeconds,
    fullMinuteSeconds: options.fullMinuteSeconds,
    store: `FerretDB of the soak's own (${backend} backend)`,
    broker: options.rabbitUrl.replace(/\/\/[^@]*@/, '//'),
    services: { ...SERVICE_SETTINGS, LOG_LEVEL: options.logLevel },
  };
}

/** The soak's result: its settings, what it measured, and what it made of it. */
export function soakReport({ runId, startedAt, machine, settings, traffic, monitor, serviceNames, outcome }) {
  const samples = traffic.samples;
  const counts = answerCounts(samples);
  const processNames = Object.keys(monitor.pids());
  return {
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run soak -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
    settings,
    load: outcome.load,
    answers: {
      total: samples.length,
      unexpected: Object.values(counts.unexpectedByOutcome).reduce((a, b) => a + b, 0),
      unexpectedByStatus: counts.unexpectedByStatus,
      unexpectedByOutcome: counts.unexpectedByOutcome,
      byStatus: counts.byStatus,
      byKind: counts.byKind,
      substituted: traffic.substituted,
      transportErrors: traffic.transportErrors,
      wrongCodesBeforeDelivery: traffic.wrongWithoutDelivery,
      unexpectedDetails: traffic.unexpected,
    },
    latency: latencyReport(samples, Object.keys(counts.byKind), settings),
    memory: memoryReport(monitor.samples, processNames, settings),
    retainedAfterGc: retainedReport(monitor.retained, serviceNames, settings),
    retainedReadings: monitor.retained,
    averageCpuPercent: averageCpu(monitor.samples, processNames),
    collectionSizes: monitor.tables,
    delivery: outcome.drain,
    metricsService: outcome.metrics,
    queuesAtEnd: outcome.queues,
    shutdown: outcome.shutdown,
    logged: outcome.logged,
    samples: monitor.samples.map(({ processes, ...rest }) => ({
      ...rest,
      processes: Object.fromEntries(
        Object.entries(processes).map(([name, { rssMb, cpuPercent }]) => [name, { rssMb, cpuPercent }]),
      ),
    })),
  };
}
