// otpflow's benchmark: `npm run bench` (options: `npm run bench -- --help`). Not part of `npm test`.
//
// In one run, on this machine, against the local RabbitMQ and MongoDB-compatible server:
//   1. the ceiling: a bare server doing only a send-code's insert + confirmed publish, and a
//      validate-code's conditional update (bench/ceiling-server.mjs), at saturation and at half of it;
//   2. otpflow's gateway (built services, one process per service) the same way, with TEST_NUMBERS so
//      no provider is involved;
//   3. scaling: the same saturation with 2 and 4 gateway processes, round-robin;
//   4. end to end: send-code to arrival at a local webhook "SMS gateway" through RabbitMQ and 1, 2, 4
//      dispatcher processes, with the metrics service consuming the events;
// then writes bench/results/<run>.json and docs/BENCHMARKS.md (bench/report.mjs).
// One module per job in bench/run/: services (the processes), sources (request bodies), measurements,
// send-validate and end-to-end (the parts), stages (their order).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuAccounting } from './lib/cpu.mjs';
import { BENCH_CODE, CODE_HASH_SECRET, GATEWAY_LIMITS } from './lib/documents.mjs';
import { ferretdbBackend, machineInfo, versions } from './lib/machine.mjs';
import { parseOptions, USAGE } from './lib/options.mjs';
import { ROOT } from './lib/processes.mjs';
import { WebhookReceiver } from './lib/webhook-receiver.mjs';
import { log } from './run/log.mjs';
import { Measurements } from './run/measurements.mjs';
import { BenchServices } from './run/services.mjs';
import { RequestSources } from './run/sources.mjs';
import { runStages } from './run/stages.mjs';
import { runStamp } from './lib/run-stamp.mjs';

/** One run's names (database, prefixes, logs) and the parts the stages share. */
class BenchRun {
  constructor(options) {
    this.options = options;
    const stamp = runStamp();
    this.runId = `bench_${stamp}`;
    this.database = `${this.runId}_otpflow`;
    this.ceilingDatabase = `${this.runId}_ceiling`;
    this.prefix = `${this.runId}.otp`;
    this.ceilingPrefix = `${this.runId}.ceiling`;
    this.resultsDir = join(ROOT, 'bench/results');
    this.logDir = join(this.resultsDir, 'logs', this.runId);
    mkdirSync(this.logDir, { recursive: true });
    this.mongoPort = Number(new URL(options.mongoUrl).port || 27017);
    this.cpu = new CpuAccounting({ mongoPort: this.mongoPort });
    this.sources = new RequestSources(options.testNumbers);
  }

  async run() {
    const { options } = this;
    const startedAt = new Date();
    if (options.build) {
      log('building (npm run build)');
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('npm run build failed');
    }
    const { Infrastructure } = await import('./lib/infrastructure.mjs');
    this.infra = await new Infrastructure({
      mongoUrl: options.mongoUrl,
      rabbitUrl: options.rabbitUrl,
      codeHashSecret: CODE_HASH_SECRET,
    }).connect();
    this.receiver = await new WebhookReceiver().start();
    this.measurements = new Measurements({ options, cpu: this.cpu, infra: this.infra });
    this.services = new BenchServices({
      options,
      infra: this.infra,
      cpu: this.cpu,
      logDir: this.logDir,
      database: this.database,
      prefix: this.prefix,
      webhookUrl: `${this.receiver.url}/sms`,
    });

    // Read from the build, so after it.
    const { serviceDefaults } = await import('./run/service-defaults.mjs');
    this.serviceDefaults = serviceDefaults({
      gateway: this.services.gatewayEnv(0),
      dispatcher: this.services.dispatcherEnv(0),
    });

    // What else this machine is doing, before we add anything.
    log(`measuring the idle machine for ${options.idleMachineSeconds} s`);
    const idleBefore = this.cpu.snapshot();
    await sleep(options.idleMachineSeconds * 1000);
    const idle = CpuAccounting.diff(idleBefore, this.cpu.snapshot());
    const buildInfo = await this.infra.buildInfo();

    try {
      await runStages(this);
    } finally {
      log('stopping services');
      await this.services.stopAll();
      await this.receiver.close();
      if (!options.keep) await this.infra.cleanUp().catch((error) => log(`clean-up failed: ${error}`));
      await this.infra.close();
    }
    await this.write(this.results({ startedAt, idle, buildInfo }));
  }

  results({ startedAt, idle, buildInfo }) {
    const { options } = this;
    return {
      runId: this.runId,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: { ...machineInfo(), idleCpu: idle },
      versions: versions({ ferretdbBuildInfo: buildInfo.ferretdbVersion, postgresVersion: undefined }),
      store: {
        kind: typeof buildInfo.ferretdbVersion === 'string' ? 'ferretdb' : 'mongodb',
        backend: ferretdbBackend(this.mongoPort),
      },
      settings: {
        backgroundSeconds: options.backgroundSeconds,
        idleMachineSeconds: options.idleMachineSeconds,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        connections: options.connections,
        testNumbers: options.testNumbers,
        code: BENCH_CODE,
        sessions: options.sessions,
        logLevel: options.logLevel,
        drainSeconds: options.drainSeconds,
        gatewayLimits: GATEWAY_LIMITS,
        goals: options.goals,
        messageBytes: this.messageBytes,
        ceilingAttemptStrategy: this.ceilingAttemptStrategy,
        ceilingSendEvent: this.ceilingSendEvent,
        serviceDefaults: this.serviceDefaults,
        queueType: 'quorum',
        writeConcern: 'majority',
      },
      phases: this.measurements.phases,
      memory: this.services.peakMemory(),
      logs: relative(ROOT, this.logDir),
    };
  }

  async write(results) {
    const file = join(this.resultsDir, `${this.runId}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`raw results: ${relative(ROOT, file)}`);
    if (this.options.report === 'none') return;
    const { writeReport } = await import('./report.mjs');
    await writeReport(results, resolve(ROOT, this.options.report));
    log(`report: ${this.options.report}`);
  }
}

const options = parseOptions(process.argv.slice(2));
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
} else {
  await new BenchRun(options).run();
}
