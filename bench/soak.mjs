// otpflow's soak: `npm run soak [-- --minutes N]` (`-- --help` for every option). Not part of npm test.
//
// Starts a FerretDB of its own, the gateway, the dispatcher (webhook provider, pointed at a local HTTP
// server here) and the metrics service from their build output, drives a steady mixed load at a fixed
// rate for N minutes, samples every service's memory and CPU and the latency every ~10 s, and at the end
// prints and writes bench/results/soak-<timestamp>.json: answers by status, latency per minute (drift),
// memory growth per service, and codes promised vs delivered at the webhook. Everything it started
// (processes, queues, database) is removed at the end, also on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import amqplib from 'amqplib';
import { MongoClient } from 'mongodb';
import { benchTopology, deleteTopology } from './lib/topology.mjs';
import { machineInfo } from './lib/machine.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';
import { latencySummary } from './lib/latency.mjs';
import { SoakFerretDb } from './lib/soak-ferretdb.mjs';
import { InspectorSession } from './lib/soak-inspector.mjs';
import {
  cpuSeconds,
  latencyPerMinute,
  MB,
  memoryTrend,
  metricTotal,
  residentBytes,
  slope,
} from './lib/soak-stats.mjs';
import { KindScheduler, MIX, SOAK_CODE, SoakTraffic, testNumber } from './lib/soak-traffic.mjs';
import { SoakWebhook } from './lib/soak-webhook.mjs';

const USAGE = `npm run soak -- [options]

  --minutes N          how long the load runs (default 10)
  --rate R             requests per second, all kinds together (default 20)
  --sample-seconds S   how often memory, CPU and latency are sampled (default 10)
  --gc-seconds S       how often each service's heap is read after a forced full GC, through the
                       inspector protocol (default 60; 0: never, and the services run without --inspect)
  --warmup-seconds S   samples before this are left out of the "after warm-up" memory slope (default 120)
  --drain-seconds S    longest wait for promised codes to reach the webhook after the load (default 60)
  --real-numbers N     distinct real mobile numbers, cycled (default 3000)
  --test-numbers N     distinct test numbers (TEST_NUMBERS), cycled (default 2000)
  --backend B          the soak FerretDB's backend: auto (PostgreSQL if the local one answers, else
                       SQLite, as scripts/services.sh), postgresql or sqlite (default auto)
  --rabbitmq-url URL   RabbitMQ (default amqp://guest:guest@127.0.0.1:5672; the soak uses its own prefix)
  --log-level L        LOG_LEVEL of the services (default info, as in production)
  --keep-logs          keep the services' logs (kept anyway when something failed)
  --no-build           do not run npm run build first
  --help`;

const API_KEY = 'soak-api-key-0123456789abcdef';
const CLIENT_ID = 'soak-client';

function log(message) {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '10' },
      rate: { type: 'string', default: '20' },
      'sample-seconds': { type: 'string', default: '10' },
      'gc-seconds': { type: 'string', default: '60' },
      'warmup-seconds': { type: 'string', default: '120' },
      'drain-seconds': { type: 'string', default: '60' },
      'real-numbers': { type: 'string', default: '3000' },
      'test-numbers': { type: 'string', default: '2000' },
      'rabbitmq-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672' },
      backend: { type: 'string', default: 'auto' },
      'log-level': { type: 'string', default: 'info' },
      'keep-logs': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!['auto', 'postgresql', 'sqlite'].includes(values.backend))
    throw new Error('--backend must be auto, postgresql or sqlite');
  const number = (name, min, max) => {
    const value = Number(values[name]);
    if (!(value >= min && value <= max)) throw new Error(`--${name} must be between ${min} and ${max}`);
    return value;
  };
  return {
    help: values.help,
    minutes: number('minutes', 0.1, 24 * 60),
    rate: number('rate', 0.1, 10_000),
    sampleSeconds: number('sample-seconds', 1, 600),
    gcSeconds: number('gc-seconds', 0, 3600),
    warmupSeconds: number('warmup-seconds', 0, 24 * 3600),
    drainSeconds: number('drain-seconds', 0, 3600),
    realNumbers: number('real-numbers', 1, 10_000_000),
    testNumbers: number('test-numbers', 1, 10_000),
    rabbitUrl: values['rabbitmq-url'],
    backend: values.backend,
    logLevel: values['log-level'],
    keepLogs: values['keep-logs'],
    build: !values['no-build'],
  };
}

/** Deletes the run's queues and exchanges from the shared broker; answers the depths they had. */
async function deleteRunTopology(rabbitUrl, prefix) {
  const topology = benchTopology(prefix);
  const connection = await amqplib.connect(rabbitUrl);
  const depths = {};
  try {
    for (const queue of topology.queues) {
      // A queue that is not there closes its channel: one channel per check.
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      const checked = await channel.checkQueue(queue).catch(() => undefined);
      if (checked) depths[queue.slice(prefix.length + 1)] = checked.messageCount;
      await channel.close().catch(() => undefined);
    }
    await deleteTopology(connection, topology);
  } finally {
    await connection.close().catch(() => undefined);
  }
  return depths;
}

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * The error and warning lines a service logged (pino JSON: level 40 and up), counted, with the first
 * few in short: a 500 in the soak's answers comes with its cause.
 */
function loggedProblems(file) {
  if (!existsSync(file)) return undefined;
  const problems = { warnings: 0, errors: 0, first: [] };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    // pino writes its level as a number, or as a label with the formatter the services use.
    const level = typeof entry.level === 'number' ? entry.level : (LEVELS[entry.level] ?? 0);
    if (level < 40) continue;
    if (level >= 50) problems.errors += 1;
    else problems.warnings += 1;
    if (problems.first.length < 8) {
      problems.first.push({
        level: entry.level,
        time: entry.time,
        msg: entry.msg,
        err: entry.err
          ? `${entry.err.type ?? ''}: ${String(entry.err.message ?? '').slice(0, 300)}`
          : undefined,
      });
    }
  }
  return problems;
}

async function scrape(url) {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return await response.text();
  } catch {
    return '';
  }
}

class Soak {
  constructor(options) {
    this.options = options;
    const stamp = new Date().toISOString().replaceAll(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');
    this.runId = `soak-${stamp}`;
    this.prefix = `soak_${stamp}.otp`;
    this.database = `otpflow_soak_${stamp}`;
    this.logDir = mkdtempSync(join(tmpdir(), 'otpflow-soak-logs-'));
    /** @type {Record<string, ServiceProcess>} */
    this.services = {};
    /** @type {Record<string, InspectorSession>} */
    this.inspectors = {};
    /** Memory after a forced GC, per service, every gcSeconds. */
    this.retained = [];
    this.samples = [];
    /** Documents per collection, every minute: on FerretDB v1 every lookup scans, so size is latency. */
    this.tables = [];
    this.stopping = false;
    this.failed = false;
  }

  async run() {
    const { options } = this;
    const startedAt = new Date();
    const machine = machineInfo();
    log(
      `${this.runId}: ${options.minutes} min at ${options.rate}/s; load average ${machine.loadAverage.join(' ')}`,
    );
    if (machine.loadAverage[0] > machine.cores * 0.5)
      log(
        `warning: the machine is busy (load ${machine.loadAverage[0]} on ${machine.cores} cores): figures will show it`,
      );

    this.ferret = await SoakFerretDb.start({ backend: options.backend, name: this.database });
    log(`FerretDB (${this.ferret.backend} backend) on port ${this.ferret.port}`);
    this.webhook = await new SoakWebhook().start();
    await this.startServices();
    this.traffic = new SoakTraffic({
      gatewayUrl: this.urls.gateway,
      apiKey: API_KEY,
      realNumbers: options.realNumbers,
      testNumbers: options.testNumbers,
      deliveredCode: (id) => this.webhook.messages.get(id)?.code,
    });

    const load = await this.drive();
    const drain = await this.drainDeliveries();
    const metrics = await this.readMetrics();
    const shutdown = await this.stopServices();
    const queues = await deleteRunTopology(options.rabbitUrl, this.prefix);
    const logged = Object.fromEntries(
      Object.keys(this.services).map((name) => [name, loggedProblems(join(this.logDir, `${name}.log`))]),
    );
    return this.report({ startedAt, machine, load, drain, metrics, shutdown, queues, logged });
  }

  async startServices() {
    const { options } = this;
    const ports = { gateway: await freePort(), dispatcher: await freePort(), metrics: await freePort() };
    this.urls = Object.fromEntries(
      Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`]),
    );
    const common = {
      NODE_ENV: 'development',
      LOG_LEVEL: options.logLevel,
      HOST: '127.0.0.1',
      MONGODB_URL: this.ferret.url(this.database),
      RABBITMQ_URL: options.rabbitUrl,
      AMQP_PREFIX: this.prefix,
      // Short lives keep the store at a steady size within the soak (ended sessions leave after a
      // minute, swept every 30 s), so what drifts is the services, not FerretDB's table scans.
      TOMBSTONE_SECONDS: '60',
      EXPIRY_SWEEP_INTERVAL_MS: '30000',
    };
    const env = {
      gateway: {
        ...common,
        PORT: String(ports.gateway),
        API_KEYS: `${API_KEY}:${CLIENT_ID}`,
        CODE_HASH_SECRET: 'soak-code-hash-secret-0123456789abcdef',
        TEST_NUMBERS: Array.from(
          { length: options.testNumbers },
          (_, n) => `${testNumber(n, options.testNumbers)}:${SOAK_CODE}`,
        ).join(','),
        CODE_TTL_SECONDS: '120',
        // Limits raised: the soak measures the work, not the refusals.
        MAX_SENDS: '1000',
        SEND_WINDOW_SECONDS: '60',
        CLIENT_RATE_LIMIT: '1000000000',
        CLIENT_QUOTA: '1000000000',
      },
      dispatcher: {
        ...common,
        PORT: String(ports.dispatcher),
        SMS_PROVIDERS: 'webhook',
        VOICE_PROVIDERS: 'webhook',
        WEBHOOK_URL: `${this.webhook.url}/sms`,
      },
      metrics: {
        NODE_ENV: 'development',
        LOG_LEVEL: options.logLevel,
        HOST: '127.0.0.1',
        PORT: String(ports.metrics),
        RABBITMQ_URL: options.rabbitUrl,
        AMQP_PREFIX: this.prefix,
      },
    };
    for (const name of ['gateway', 'dispatcher', 'metrics']) {
      const logFile = join(this.logDir, `${name}.log`);
      // A random loopback port for the inspector: the soak forces a GC through it to read retained memory.
      const inspect = options.gcSeconds > 0 ? { NODE_OPTIONS: '--inspect=127.0.0.1:0' } : {};
      const service = ServiceProcess.service(name, name, { ...env[name], ...inspect }, logFile);
      service.start();
      this.services[name] = service;
      await service.waitReady(this.urls[name], 60_000);
      if (options.gcSeconds > 0) this.inspectors[name] = await InspectorSession.attach(logFile);
      log(`${name} ready (pid ${service.pid})`);
    }
  }

  /** Each service's heap and external memory after a forced full GC, every gcSeconds. */
  async readRetained(startedAt) {
    const at = Math.round((performance.now() - startedAt) / 1000);
    const entry = { at };
    for (const [name, inspector] of Object.entries(this.inspectors)) {
      try {
        const memory = await inspector.memoryAfterGc();
        entry[name] = {
          heapUsedMb: Math.round((memory.heapUsed / MB) * 10) / 10,
          externalMb: Math.round((memory.external / MB) * 10) / 10,
          rssMb: Math.round((memory.rss / MB) * 10) / 10,
        };
      } catch (error) {
        entry[name] = { error: String(error) };
      }
    }
    this.retained.push(entry);
  }

  /** The processes whose memory and CPU are sampled. */
  processes() {
    return {
      ...Object.fromEntries(Object.entries(this.services).map(([name, service]) => [name, service.pid])),
      ferretdb: this.ferret.pid,
    };
  }

  /** Memory, CPU and the last interval's latency, every sampleSeconds. */
  sample(startedAt, previous) {
    const now = performance.now();
    const seconds = (now - startedAt) / 1000;
    const entry = { at: Math.round(seconds), processes: {} };
    for (const [name, pid] of Object.entries(this.processes())) {
      const rss = residentBytes(pid);
      const cpu = cpuSeconds(pid);
      const before = previous?.cpu[name];
      entry.processes[name] = {
        rssMb: rss === undefined ? undefined : Math.round((rss / MB) * 10) / 10,
        cpuPercent:
          cpu !== undefined && before !== undefined && previous
            ? Math.round(((cpu - before) / ((now - previous.now) / 1000)) * 1000) / 10
            : undefined,
      };
      entry.processes[name].rssBytes = rss;
    }
    const window = this.traffic.samples.filter((sample) => sample.at > (previous ? previous.at : 0));
    entry.requests = window.length;
    entry.unexpected = window.filter((sample) => !sample.ok).length;
    entry.latency = latencySummary(window.map((sample) => sample.ms));
    entry.inFlight = this.inFlight.size;
    this.samples.push(entry);
    const memory = Object.entries(entry.processes)
      .map(([name, process]) => `${name} ${process.rssMb} MB ${process.cpuPercent ?? '-'}%`)
      .join(', ');
    log(
      `${entry.at}s: ${entry.requests} answers (${entry.unexpected} unexpected), p50 ${entry.latency.p50 ?? '-'} ms, ` +
        `p99 ${entry.latency.p99 ?? '-'} ms, in flight ${entry.inFlight}; ${memory}`,
    );
    return {
      at: seconds,
      now,
      cpu: Object.fromEntries(Object.entries(this.processes()).map(([name, pid]) => [name, cpuSeconds(pid)])),
    };
  }

  /** Counts the documents of every collection of the soak's database (one count per collection). */
  async readTables(startedAt) {
    const client = new MongoClient(this.ferret.url(this.database), { serverSelectionTimeoutMS: 2_000 });
    try {
      const database = client.db(this.database);
      const names = (await database.listCollections({}, { nameOnly: true }).toArray()).map(
        ({ name }) => name,
      );
      const sizes = {};
      for (const name of names.sort()) sizes[name] = await database.collection(name).countDocuments();
      this.tables.push({ at: Math.round((performance.now() - startedAt) / 1000), sizes });
    } catch (error) {
      log(`could not count the collections: ${error}`);
    } finally {
      await client.close();
    }
  }

  /** Open loop at a fixed rate: request i is due at start + i/rate, whatever the earlier ones did. */
  async drive() {
    const { options } = this;
    const scheduler = new KindScheduler(MIX);
    const total = Math.round(options.minutes * 60 * options.rate);
    this.inFlight = new Set();
    const startedAt = performance.now();
    let previous = this.sample(startedAt, undefined);
    const sampler = setInterval(() => {
      previous = this.sample(startedAt, previous);
    }, options.sampleSeconds * 1000);
    // The forced collections run one after another, never two at once, beside the load.
    let collecting = Promise.resolve();
    const collector =
      options.gcSeconds > 0
        ? setInterval(() => {
            collecting = collecting.then(() => this.readRetained(startedAt));
          }, options.gcSeconds * 1000)
        : undefined;
    let counting = Promise.resolve();
    const counter = setInterval(() => {
      counting = counting.then(() => this.readTables(startedAt));
    }, 60_000);
    let sent = 0;
    let aborted;
    for (let index = 0; index < total && !this.stopping; index += 1) {
      const dueAt = startedAt + (index * 1000) / options.rate;
      const wait = dueAt - performance.now();
      if (wait > 1) await sleep(wait);
      for (const [name, service] of Object.entries(this.services)) {
        if (!service.running) aborted ??= `${name} exited during the load`;
      }
      if (!this.ferret.running) aborted ??= 'ferretdb exited during the load';
      // Far more requests waiting than the rate explains: the system has stalled, and the soak says so.
      if (this.inFlight.size > options.rate * 60) aborted ??= `${this.inFlight.size} requests in flight`;
      if (aborted) break;
      const request = this.traffic.send(scheduler.next(), dueAt, startedAt);
      this.inFlight.add(request);
      void request.then(() => this.inFlight.delete(request));
      sent += 1;
    }
    const sendingSeconds = (performance.now() - startedAt) / 1000;
    await Promise.all(this.inFlight);
    clearInterval(sampler);
    clearInterval(collector);
    clearInterval(counter);
    await collecting;
    await counting;
    await this.readTables(startedAt);
    if (options.gcSeconds > 0) await this.readRetained(startedAt);
    this.sample(startedAt, previous);
    this.traffic.close();
    if (aborted) {
      this.failed = true;
      log(`load aborted: ${aborted}`);
    }
    return {
      sent,
      planned: total,
      sendingSeconds: Math.round(sendingSeconds * 10) / 10,
      achievedRate: Math.round((sent / sendingSeconds) * 100) / 100,
      interrupted: this.stopping,
      aborted,
    };
  }

  /** Waits until every code promised to a real number has reached the webhook, or the time is up. */
  async drainDeliveries() {
    const promised = this.traffic.promised;
    const started = performance.now();
    const deadline = Date.now() + this.options.drainSeconds * 1000;
    const arrived = this.webhook.messages;
    const missing = () => [...promised.keys()].filter((id) => !arrived.has(id));
    while (missing().length > 0 && Date.now() < deadline && !this.stopping) await sleep(250);
    const lost = missing();
    const arrivalLatency = [...promised]
      .filter(([id]) => arrived.has(id))
      .map(([id, dueAt]) => arrived.get(id).arrivedAt - dueAt);
    const unasked = [...arrived.keys()].filter((id) => !promised.has(id)).length;
    const repeats = this.webhook.repeats();
    return {
      promised: promised.size,
      delivered: promised.size - lost.length,
      lost: lost.length,
      lostIds: lost.slice(0, 20),
      repeatsSameKey: repeats.sameKey,
      deliveredUnderSeveralKeys: repeats.otherKeys,
      deliveredUnasked: unasked,
      unreadable: this.webhook.unreadable,
      drainMs: Math.round(performance.now() - started),
      requestToWebhookMs: latencySummary(arrivalLatency),
    };
  }

  /** The metrics service's own count of the traffic, against what the soak saw. */
  async readMetrics() {
    const text = await scrape(this.urls.metrics);
    const gateway = await scrape(this.urls.gateway);
    return {
      codesRequested: metricTotal(text, 'otpflow_codes_requested_total'),
      codesSent: metricTotal(text, 'otpflow_codes_sent_total'),
      codesVerified: metricTotal(text, 'otpflow_codes_verified_total'),
      codesRejected: metricTotal(text, 'otpflow_codes_rejected_total'),
      eventsCounted: metricTotal(text, 'otpflow_metrics_events_total'),
      gatewayRequests: metricTotal(gateway, 'otpflow_http_requests_total'),
    };
  }

  async stopServices() {
    for (const inspector of Object.values(this.inspectors)) inspector.close();
    this.inspectors = {};
    const exits = {};
    // Front to back, as a rolling shutdown would: nothing new comes in while the rest drains.
    for (const name of ['gateway', 'dispatcher', 'metrics']) {
      const service = this.services[name];
      if (!service) continue;
      const started = performance.now();
      await service.stop();
      exits[name] = {
        code: service.child?.exitCode,
        signal: service.child?.signalCode,
        stopMs: Math.round(performance.now() - started),
      };
    }
    return exits;
  }

  report({ startedAt, machine, load, drain, metrics, shutdown, queues, logged }) {
    const samples = this.traffic.samples;
    const byKind = {};
    const unexpected = {};
    for (const sample of samples) {
      byKind[sample.kind] ??= { count: 0, outcomes: {} };
      byKind[sample.kind].count += 1;
      byKind[sample.kind].outcomes[sample.outcome] = (byKind[sample.kind].outcomes[sample.outcome] ?? 0) + 1;
      if (!sample.ok) unexpected[sample.outcome] = (unexpected[sample.outcome] ?? 0) + 1;
    }
    const byStatus = {};
    const unexpectedByStatus = {};
    for (const sample of samples) {
      const status = sample.outcome.split(' ')[0];
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (!sample.ok) unexpectedByStatus[status] = (unexpectedByStatus[status] ?? 0) + 1;
    }
    const perMinute = latencyPerMinute(samples);
    // The last minute is often partial: the drift compares the first and last full minutes.
    const full = perMinute.filter((minute) => minute.count >= this.options.rate * 45);
    const firstMinute = full[0];
    const lastMinute = full[full.length - 1];
    const memory = {};
    for (const name of Object.keys(this.processes())) {
      const points = this.samples
        .map((sample) => [sample.at, sample.processes[name]?.rssBytes])
        .filter(([, bytes]) => bytes !== undefined);
      memory[name] = memoryTrend(points, this.options.warmupSeconds);
    }
    // Retained memory: heap after a forced GC, first reading after the warm-up against the last.
    const retained = {};
    for (const name of Object.keys(this.services)) {
      const readings = this.retained
        .filter((entry) => entry[name]?.heapUsedMb !== undefined)
        .map((entry) => ({ at: entry.at, ...entry[name] }));
      const settled = readings.filter((reading) => reading.at >= this.options.warmupSeconds);
      const first = settled[0] ?? readings[0];
      const last = readings[readings.length - 1];
      if (!first || !last) continue;
      const perMinute = slope(settled.map((reading) => [reading.at / 60, reading.heapUsedMb]));
      retained[name] = {
        readings: readings.length,
        heapAfterGcMb: [first.heapUsedMb, last.heapUsedMb],
        externalAfterGcMb: [first.externalMb, last.externalMb],
        fromSecond: first.at,
        heapSlopeMbPerMinute: perMinute === undefined ? undefined : Math.round(perMinute * 1000) / 1000,
      };
    }
    const cpu = {};
    for (const name of Object.keys(this.processes())) {
      const values = this.samples
        .map((sample) => sample.processes[name]?.cpuPercent)
        .filter((v) => v !== undefined);
      cpu[name] = values.length
        ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10
        : undefined;
    }
    const result = {
      runId: this.runId,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command: `npm run soak -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: { ...machine, loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
      settings: {
        minutes: this.options.minutes,
        rate: this.options.rate,
        mix: MIX,
        realNumbers: this.options.realNumbers,
        testNumbers: this.options.testNumbers,
        store: `FerretDB of the soak's own (${this.ferret.backend} backend)`,
        broker: this.options.rabbitUrl.replace(/\/\/[^@]*@/, '//'),
        gcSeconds: this.options.gcSeconds,
        gateway: {
          CODE_TTL_SECONDS: 120,
          TOMBSTONE_SECONDS: 60,
          EXPIRY_SWEEP_INTERVAL_MS: 30000,
          MAX_SENDS: 1000,
          SEND_WINDOW_SECONDS: 60,
          CLIENT_RATE_LIMIT: 1000000000,
          LOG_LEVEL: this.options.logLevel,
        },
      },
      load,
      answers: {
        total: samples.length,
        unexpected: Object.values(unexpected).reduce((a, b) => a + b, 0),
        unexpectedByStatus,
        unexpectedByOutcome: unexpected,
        byStatus,
        byKind,
        substituted: this.traffic.substituted,
        transportErrors: this.traffic.transportErrors,
        wrongCodesBeforeDelivery: this.traffic.wrongWithoutDelivery,
        unexpectedDetails: this.traffic.unexpected,
      },
      latency: {
        overall: latencySummary(samples.map((sample) => sample.ms)),
        byKind: Object.fromEntries(
          Object.keys(byKind).map((kind) => [
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
      },
      memory,
      retainedAfterGc: retained,
      retainedReadings: this.retained,
      averageCpuPercent: cpu,
      collectionSizes: this.tables,
      delivery: drain,
      metricsService: metrics,
      queuesAtEnd: queues,
      shutdown,
      logged,
      samples: this.samples.map(({ processes, ...rest }) => ({
        ...rest,
        processes: Object.fromEntries(
          Object.entries(processes).map(([name, { rssMb, cpuPercent }]) => [name, { rssMb, cpuPercent }]),
        ),
      })),
    };
    return result;
  }

  async cleanUp() {
    for (const inspector of Object.values(this.inspectors)) inspector.close();
    for (const service of Object.values(this.services)) await service.stop().catch(() => undefined);
    await deleteRunTopology(this.options.rabbitUrl, this.prefix).catch((error) =>
      log(`could not delete the queues of ${this.prefix}: ${error}`),
    );
    await this.webhook?.close().catch(() => undefined);
    await this.ferret?.dispose().catch((error) => log(`could not stop the soak's FerretDB: ${error}`));
  }
}

function printSummary(result, file) {
  const lines = [];
  const { answers, latency, memory, delivery, load } = result;
  lines.push(
    `soak ${result.runId}: ${result.settings.minutes} min at ${result.settings.rate}/s (achieved ${load.achievedRate}/s)`,
  );
  lines.push(
    `  answers: ${answers.total}, unexpected ${answers.unexpected} ${JSON.stringify(answers.unexpectedByOutcome)}`,
  );
  lines.push(`  by status: ${JSON.stringify(answers.byStatus)}`);
  for (const detail of answers.unexpectedDetails.slice(0, 5))
    lines.push(`    unexpected: ${JSON.stringify(detail)}`);
  lines.push(
    `  latency: p50 ${latency.overall.p50} ms, p99 ${latency.overall.p99} ms, max ${latency.overall.max} ms`,
  );
  if (latency.drift) {
    const { firstMinute, lastMinute } = latency.drift;
    lines.push(
      `  drift: minute ${firstMinute.minute} p50 ${firstMinute.p50} / p99 ${firstMinute.p99} ms → ` +
        `minute ${lastMinute.minute} p50 ${lastMinute.p50} / p99 ${lastMinute.p99} ms`,
    );
  }
  lines.push(
    '  per minute (p50/p99 ms): ' + latency.perMinute.map((m) => `${m.minute}:${m.p50}/${m.p99}`).join(' '),
  );
  for (const [name, trend] of Object.entries(memory)) {
    if (!trend) continue;
    lines.push(
      `  ${name} RSS: ${trend.firstMb} → ${trend.lastMb} MB (${trend.growthMb >= 0 ? '+' : ''}${trend.growthMb}), ` +
        `slope ${trend.slopeMbPerMinute} MB/min, after warm-up ${trend.slopeAfterWarmupMbPerMinute ?? '-'} MB/min, peak ${trend.peakMb} MB`,
    );
  }
  for (const [name, trend] of Object.entries(result.retainedAfterGc)) {
    lines.push(
      `  ${name} heap after forced GC: ${trend.heapAfterGcMb[0]} → ${trend.heapAfterGcMb[1]} MB from second ` +
        `${trend.fromSecond} (${trend.heapSlopeMbPerMinute} MB/min over ${trend.readings} readings), external ` +
        `${trend.externalAfterGcMb[0]} → ${trend.externalAfterGcMb[1]} MB`,
    );
  }
  const tables = result.collectionSizes;
  if (tables.length > 0) {
    const [first, last] = [tables[0], tables.at(-1)];
    const grown = Object.keys(last.sizes).map(
      (name) => `${name} ${first.sizes[name] ?? 0}→${last.sizes[name]}`,
    );
    lines.push(`  documents (second ${first.at} → ${last.at}): ${grown.join(', ')}`);
  }
  lines.push(
    `  codes: ${delivery.promised} promised to real numbers, ${delivery.delivered} delivered, ${delivery.lost} lost, ` +
      `${delivery.repeatsSameKey} repeats under one key, ${delivery.deliveredUnderSeveralKeys} under several, ` +
      `${delivery.deliveredUnasked} unasked; request→webhook p50 ` +
      `${delivery.requestToWebhookMs.p50} ms, p99 ${delivery.requestToWebhookMs.p99} ms`,
  );
  lines.push(`  metrics service: ${JSON.stringify(result.metricsService)}`);
  for (const [name, problems] of Object.entries(result.logged)) {
    if (!problems || problems.errors + problems.warnings === 0) continue;
    lines.push(
      `  ${name} logged ${problems.errors} errors, ${problems.warnings} warnings; first: ${JSON.stringify(problems.first.slice(0, 3))}`,
    );
  }
  lines.push(
    `  queues at the end: ${JSON.stringify(result.queuesAtEnd)}; shutdown: ${JSON.stringify(result.shutdown)}`,
  );
  lines.push(`  written to ${file}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (options.build) {
    log('building');
    const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const soak = new Soak(options);
  // Ctrl-C ends the load early; the run still reports what it has and removes what it started.
  const interrupt = () => {
    if (soak.stopping) return;
    soak.stopping = true;
    log('interrupted: stopping the load and cleaning up');
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let result;
  try {
    result = await soak.run();
    // An answer the traffic should not have got is worth its logs.
    if (result.answers.unexpected > 0) soak.failed = true;
  } catch (error) {
    soak.failed = true;
    throw error;
  } finally {
    await soak.cleanUp();
    if (soak.failed || options.keepLogs) log(`services' logs kept in ${soak.logDir}`);
    else rmSync(soak.logDir, { recursive: true, force: true });
  }
  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${result.runId}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  printSummary(result, relative(process.cwd(), file));
  // A soak that lost a code, stalled, or got an answer its traffic should not get is a failed soak.
  if (result.load.aborted || result.delivery.lost > 0 || result.answers.unexpected > 0) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
