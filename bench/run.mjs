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
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuAccounting } from './lib/cpu.mjs';
import {
  BENCH_API_KEY,
  BENCH_CLIENT_ID,
  BENCH_CODE,
  CODE_HASH_SECRET,
  gatewayEnv,
  mobileNumber,
  testNumber,
} from './lib/documents.mjs';
import { latencySummary } from './lib/latency.mjs';
import { fixedRate, saturate } from './lib/load.mjs';
import { ferretdbBackend, machineInfo, versions } from './lib/machine.mjs';
import { parseOptions, USAGE } from './lib/options.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';
import { idleStoreCommands, readStoreCommands, storeCommandsPerRequest } from './lib/store-commands.mjs';
import { WebhookReceiver } from './lib/webhook-receiver.mjs';

const SEND_PATH = '/one-time-password-sms/v1/send-code';
const VALIDATE_PATH = '/one-time-password-sms/v1/validate-code';
const MESSAGE = '{{code}} is your Cool App code';
/** How long the gateways are watched idle, for the store commands they send on their own. */
const STORE_BACKGROUND_SECONDS = 5;
const HEADERS = {
  authorization: `Bearer ${BENCH_API_KEY}`,
  'content-type': 'application/json',
  accept: 'application/json',
};

function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Sessions that validate-code can verify, each used once (a code validates at most once). */
class SessionPool {
  constructor() {
    this.ids = [];
    this.next = 0;
    /** Requests that found the pool empty and reused a session (their answers are not 2xx). */
    this.reused = 0;
  }

  get remaining() {
    return this.ids.length - this.next;
  }

  take() {
    if (this.next >= this.ids.length) this.reused += 1;
    const id = this.ids[this.next % this.ids.length];
    this.next += 1;
    return id;
  }
}

class Bench {
  constructor(options) {
    this.options = options;
    const stamp = new Date().toISOString().replaceAll(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');
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
    /** @type {ServiceProcess[]} */
    this.processes = [];
    this.gateways = [];
    this.dispatchers = [];
    this.phases = [];
    /** CPU seconds a second of each server's process when idle (measureIdle). */
    this.idleCpuPerSecond = {};
    this.numberIndex = 0;
    this.mobileIndex = 0;
  }

  // --- processes -------------------------------------------------------------------------------

  async startProcess(child, url) {
    child.start();
    this.processes.push(child);
    this.cpu.label(child.pid, child.label);
    await child.waitReady(url);
    return child;
  }

  commonEnv(port) {
    return {
      NODE_ENV: 'development',
      LOG_LEVEL: this.options.logLevel,
      HOST: '127.0.0.1',
      PORT: String(port),
      MONGODB_URL: this.infra.databaseUrl(this.database),
      RABBITMQ_URL: this.options.rabbitUrl,
      AMQP_PREFIX: this.infra.usePrefix(this.prefix),
    };
  }

  async startGateway() {
    const port = await freePort();
    const label = `gateway-${this.gateways.length + 1}`;
    const env = gatewayEnv({
      port,
      mongoUrl: this.infra.databaseUrl(this.database),
      rabbitUrl: this.options.rabbitUrl,
      prefix: this.infra.usePrefix(this.prefix),
      logLevel: this.options.logLevel,
      testNumbers: this.options.testNumbers,
    });
    const url = `http://127.0.0.1:${port}`;
    await this.startProcess(
      ServiceProcess.service(label, 'gateway', env, join(this.logDir, `${label}.log`)),
      url,
    );
    this.gateways.push({ label, url });
    return url;
  }

  async startDispatcher() {
    const port = await freePort();
    const label = `dispatcher-${this.dispatchers.length + 1}`;
    const env = {
      ...this.commonEnv(port),
      SMS_PROVIDERS: 'webhook',
      VOICE_PROVIDERS: 'webhook',
      WEBHOOK_URL: `${this.receiver.url}/sms`,
    };
    const child = ServiceProcess.service(label, 'dispatcher', env, join(this.logDir, `${label}.log`));
    await this.startProcess(child, `http://127.0.0.1:${port}`);
    this.dispatchers.push({ label, child });
  }

  /** The metrics service, consuming the event stream as in production (its peak memory is reported). */
  async startMetrics() {
    const port = await freePort();
    const env = this.commonEnv(port);
    delete env.MONGODB_URL; // the metrics service has no database
    const child = ServiceProcess.service('metrics', 'metrics', env, join(this.logDir, 'metrics.log'));
    await this.startProcess(child, `http://127.0.0.1:${port}`);
  }

  // --- measuring ---------------------------------------------------------------------------------

  /**
   * Runs one measurement and records it with the CPU each part of the system spent on it and, for
   * otpflow's gateways (`gatewayUrls`), the store commands they sent per answered request.
   */
  async measure(meta, database, run, gatewayUrls = []) {
    const commandsBefore = gatewayUrls.length > 0 ? await readStoreCommands(gatewayUrls) : undefined;
    const before = this.cpu.snapshot();
    const result = await run();
    const cpu = CpuAccounting.diff(before, this.cpu.snapshot());
    const phase = {
      ...meta,
      ...result,
      cpu,
      idleCpuPerSecond: { ...this.idleCpuPerSecond },
      tables: await this.infra.collectionSizes(database),
    };
    if (commandsBefore) {
      phase.storeCommands = storeCommandsPerRequest(commandsBefore, await readStoreCommands(gatewayUrls), {
        // Every answered request costs the store, refused or not (a healthy run refuses none).
        requests: phase.requests ?? phase.accepted ?? 0,
        wallSeconds: cpu.wallSeconds,
        background: this.storeBackground,
      });
    }
    this.phases.push(phase);
    const rate = phase.throughput ?? phase.codesPerSecond ?? phase.achievedRate;
    const latency = phase.latency ? `, p50 ${phase.latency.p50} ms, p99 ${phase.latency.p99} ms` : '';
    const commands = phase.storeCommands ? `, ${phase.storeCommands.perRequest} store commands/request` : '';
    log(`${meta.id}: ${rate}/s${latency}${commands}`);
    return phase;
  }

  /** The store commands the gateways send on their own, per second, before a series of measurements. */
  async measureStoreBackground(urls) {
    this.storeBackground = await idleStoreCommands(urls, STORE_BACKGROUND_SECONDS, sleep);
  }

  /**
   * What the server's process (`group`: gateway or ceiling) spends idle, in CPU seconds a second:
   * timers, the driver's pool and server monitoring, broker heartbeats. Each measurement records it
   * (`idleCpuPerSecond`), so the report can tell the work of the requests from the cost of running.
   * For otpflow the same window gives the store commands of the background.
   */
  async measureIdle(group, urls) {
    const before = this.cpu.snapshot();
    if (group === 'gateway') await this.measureStoreBackground(urls);
    else await sleep(STORE_BACKGROUND_SECONDS * 1000);
    const idle = CpuAccounting.diff(before, this.cpu.snapshot());
    this.idleCpuPerSecond[group] = (idle.groups[group] ?? 0) / idle.wallSeconds;
  }

  /**
   * Every measurement starts from the same state: the per-request collections emptied and, for
   * validate-code, the same number of pending sessions to verify, whatever the server.
   */
  async prepare(database, pool) {
    await this.infra.resetCollections(database);
    if (!pool) return;
    pool.ids = await this.infra.prefillSessions(database, this.options.sessions);
    pool.next = 0;
  }

  /** otpflow's gateways report their store commands; the ceiling has none to report. */
  commandUrls(meta, urls) {
    return meta.part === 'ceiling' ? [] : urls;
  }

  async saturation(meta, database, urls, source) {
    const { connections, warmupSeconds, durationSeconds } = this.options;
    if (warmupSeconds > 0) await saturate({ urls, connections, durationSeconds: warmupSeconds, source });
    return this.measure(
      { ...meta, mode: 'saturation' },
      database,
      () => saturate({ urls, connections, durationSeconds, source }),
      this.commandUrls(meta, urls),
    );
  }

  async fixed(meta, database, urls, rate, source) {
    const { connections, durationSeconds } = this.options;
    return this.measure(
      { ...meta, mode: 'fixed-rate' },
      database,
      () => fixedRate({ urls, rate, durationSeconds, maxSockets: connections, source }),
      this.commandUrls(meta, urls),
    );
  }

  sendSource(path, nextNumber, onResponse) {
    return {
      path,
      headers: HEADERS,
      nextBody: () => JSON.stringify({ phoneNumber: nextNumber(), message: MESSAGE }),
      onResponse,
    };
  }

  testSendSource(path) {
    return this.sendSource(path, () => testNumber(this.numberIndex++, this.options.testNumbers));
  }

  validateSource(path, pool) {
    return {
      path,
      headers: HEADERS,
      // clientId is for the ceiling, which has no authentication to take it from; the gateway ignores it.
      nextBody: () =>
        JSON.stringify({ authenticationId: pool.take(), code: BENCH_CODE, clientId: BENCH_CLIENT_ID }),
    };
  }

  /** Send-code, then validate-code, at saturation and (with `fixedRates`) at half of it. */
  async sendAndValidate({ part, urls, database, sendPath, validatePath, fixedRates }) {
    const meta = { part, gateways: part === 'otpflow' ? urls.length : undefined };
    const queue = part === 'ceiling' ? `${this.ceilingPrefix}.send` : `${this.prefix}.send`;
    const pool = new SessionPool();
    const sendSource = this.testSendSource(sendPath);
    const validateSource = this.validateSource(validatePath, pool);
    const operation = (name, mode) => ({
      ...meta,
      id: `${part}.${name}.${mode}.${urls.length}`,
      operation: `${name}-code`,
    });

    await this.measureIdle(part === 'otpflow' ? 'gateway' : 'ceiling', urls);
    await this.prepare(database);
    const send = await this.saturation(operation('send', 'saturation'), database, urls, sendSource);
    // Jobs nobody consumes would pile up in the broker from one measurement to the next.
    await this.infra.purge(queue);
    if (fixedRates) {
      await this.prepare(database);
      await this.fixed(operation('send', 'fixed'), database, urls, send.throughput / 2, sendSource);
      await this.infra.purge(queue);
    }

    await this.prepare(database, pool);
    const validate = await this.saturation(
      operation('validate', 'saturation'),
      database,
      urls,
      validateSource,
    );
    validate.poolExhausted = pool.reused > 0;
    if (fixedRates) {
      await this.prepare(database, pool);
      await this.fixed(
        operation('validate', 'fixed'),
        database,
        urls,
        validate.throughput / 2,
        validateSource,
      );
    }
    await this.infra.purge(queue);
  }

  /**
   * Send-code (real mobile numbers, so the dispatcher delivers them) until arrival at the webhook.
   * The rate is what arrived over the time from the first send to the last arrival, so a backlog the
   * dispatchers have not caught up with when the load stops counts against them.
   */
  async endToEnd(meta, { urls, rate }) {
    const { connections, durationSeconds, drainSeconds } = this.options;
    const sends = new Map();
    const source = this.sendSource(
      SEND_PATH,
      () => mobileNumber(this.mobileIndex++),
      (status, body, sentAt) => {
        if (status === 200) sends.set(JSON.parse(body).authenticationId, sentAt);
      },
    );
    const drain = async () => {
      const deadline = performance.now() + drainSeconds * 1000;
      // Counts only this measurement's codes: a late code of the warm-up must not end the wait early.
      const arrived = () => [...sends.keys()].filter((id) => this.receiver.arrivals.has(id)).length;
      while (arrived() < sends.size && performance.now() < deadline) await sleep(100);
    };
    const load =
      rate === undefined
        ? () => saturate({ urls, connections, durationSeconds, source })
        : () => fixedRate({ urls, rate, durationSeconds, maxSockets: connections, source });

    await this.prepare(this.database);
    if (rate === undefined && this.options.warmupSeconds > 0) {
      await saturate({ urls, connections, durationSeconds: this.options.warmupSeconds, source });
      await drain();
    }
    sends.clear();
    this.receiver.reset();
    return this.measure(
      meta,
      this.database,
      async () => {
        const gateway = await load();
        await drain();
        const latencies = [];
        let firstSent = Infinity;
        let lastArrival = 0;
        for (const [id, sentAt] of sends) {
          firstSent = Math.min(firstSent, sentAt);
          const arrivedAt = this.receiver.arrivals.get(id);
          if (arrivedAt === undefined) continue;
          latencies.push(arrivedAt - sentAt);
          lastArrival = Math.max(lastArrival, arrivedAt);
        }
        const spanSeconds = (lastArrival - firstSent) / 1000;
        return {
          gateway: {
            throughput: gateway.throughput ?? gateway.achievedRate,
            latency: gateway.latency,
            statusCodes: gateway.statusCodes,
          },
          accepted: sends.size,
          delivered: latencies.length,
          undelivered: sends.size - latencies.length,
          duplicates: this.receiver.duplicates,
          codesPerSecond: spanSeconds > 0 ? Math.round((latencies.length / spanSeconds) * 10) / 10 : 0,
          latency: latencySummary(latencies),
        };
      },
      urls,
    );
  }

  // --- the run -----------------------------------------------------------------------------------

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

    // What else this machine is doing, before we add anything.
    log('measuring the idle machine for 5 s');
    const idleBefore = this.cpu.snapshot();
    await sleep(5000);
    const idle = CpuAccounting.diff(idleBefore, this.cpu.snapshot());
    const buildInfo = await this.infra.buildInfo();

    try {
      await this.stages();
    } finally {
      log('stopping services');
      for (const child of [...this.processes].reverse()) await child.stop();
      await this.receiver.close();
      if (!options.keep) await this.infra.cleanUp().catch((error) => log(`clean-up failed: ${error}`));
      await this.infra.close();
    }

    const results = {
      runId: this.runId,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: { ...machineInfo(), idleCpu: idle },
      versions: versions({
        ferretdbBuildInfo: buildInfo.ferretdbVersion,
        postgresVersion: undefined,
      }),
      store: {
        kind: typeof buildInfo.ferretdbVersion === 'string' ? 'ferretdb' : 'mongodb',
        backend: ferretdbBackend(this.mongoPort),
      },
      settings: {
        backgroundSeconds: STORE_BACKGROUND_SECONDS,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        connections: options.connections,
        testNumbers: options.testNumbers,
        sessions: options.sessions,
        logLevel: options.logLevel,
        drainSeconds: options.drainSeconds,
        messageBytes: this.messageBytes,
        queueType: 'quorum',
        writeConcern: 'majority',
      },
      phases: this.phases,
      memory: this.processes.map((child) => ({
        label: child.label,
        peakRssMiB: child.peakRss === undefined ? undefined : Math.round((child.peakRss / 1048576) * 10) / 10,
      })),
      logs: relative(ROOT, this.logDir),
    };
    const file = join(this.resultsDir, `${this.runId}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`raw results: ${relative(ROOT, file)}`);
    if (options.report !== 'none') {
      const { writeReport } = await import('./report.mjs');
      await writeReport(results, resolve(ROOT, options.report));
      log(`report: ${options.report}`);
    }
  }

  /**
   * The ceiling again, at otpflow's fixed rate (half otpflow's saturation throughput), so that both
   * servers' CPU per request can be set side by side at one rate and one way of loading: a Node
   * process answering ten times the requests in a second shares each wake-up of its event loop among
   * more of them, and costs less per request for that alone.
   */
  async ceilingAtOtpflowRate(url) {
    log("ceiling at otpflow's rate");
    const pool = new SessionPool();
    for (const [operation, path] of [
      ['send', '/send'],
      ['validate', '/validate'],
    ]) {
      const ours = this.phases.find((phase) => phase.id === `otpflow.${operation}.fixed.1`);
      if (!ours?.targetRate) continue;
      await this.prepare(this.ceilingDatabase, operation === 'validate' ? pool : undefined);
      const source = operation === 'send' ? this.testSendSource(path) : this.validateSource(path, pool);
      const meta = {
        id: `ceiling.${operation}.matched.1`,
        part: 'ceiling',
        operation: `${operation}-code`,
        matchedTo: ours.id,
      };
      await this.fixed(meta, this.ceilingDatabase, [url], ours.targetRate, source);
      await this.infra.purge(`${this.ceilingPrefix}.send`);
    }
  }

  async stages() {
    const { options } = this;
    const parts = options.parts;

    // One real send job's size, for the ceiling's messages: send one code and look at what was queued.
    const gatewayUrl = await this.startGateway();
    const response = await fetch(`${gatewayUrl}${SEND_PATH}`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ phoneNumber: testNumber(0, options.testNumbers), message: MESSAGE }),
    });
    if (response.status !== 200)
      throw new Error(`calibration send-code answered ${response.status}: ${await response.text()}`);
    this.messageBytes = await this.infra.takeMessageSize(`${this.prefix}.send`);
    if (this.messageBytes === undefined)
      throw new Error('the calibration send job was not in the send queue');
    log(`a send job is ${this.messageBytes} bytes`);

    let ceiling;
    let ceilingUrl;
    if (parts.has('ceiling')) {
      log('ceiling');
      const port = await freePort();
      const env = {
        PORT: String(port),
        MONGODB_URL: this.infra.databaseUrl(this.ceilingDatabase),
        RABBITMQ_URL: options.rabbitUrl,
        AMQP_PREFIX: this.infra.usePrefix(this.ceilingPrefix),
        MESSAGE_BYTES: String(this.messageBytes),
      };
      ceiling = new ServiceProcess(
        'ceiling',
        ['bench/ceiling-server.mjs'],
        env,
        join(this.logDir, 'ceiling.log'),
      );
      ceilingUrl = `http://127.0.0.1:${port}`;
      await this.startProcess(ceiling, ceilingUrl);
      await this.sendAndValidate({
        part: 'ceiling',
        urls: [ceilingUrl],
        database: this.ceilingDatabase,
        sendPath: '/send',
        validatePath: '/validate',
        fixedRates: true,
      });
    }

    if (parts.has('gateway')) {
      log('otpflow, 1 gateway');
      await this.sendAndValidate({
        part: 'otpflow',
        urls: [gatewayUrl],
        sendPath: SEND_PATH,
        validatePath: VALIDATE_PATH,
        database: this.database,
        fixedRates: true,
      });
      if (ceilingUrl) await this.ceilingAtOtpflowRate(ceilingUrl);
    }
    await ceiling?.stop();
    if (parts.has('scaling')) {
      for (const count of options.gateways.filter((count) => count > 1)) {
        while (this.gateways.length < count) await this.startGateway();
        log(`otpflow, ${count} gateways`);
        const urls = this.gateways.slice(0, count).map((gateway) => gateway.url);
        await this.sendAndValidate({
          part: 'otpflow',
          urls,
          sendPath: SEND_PATH,
          validatePath: VALIDATE_PATH,
          database: this.database,
          fixedRates: false,
        });
      }
      // The end-to-end figures use one gateway, as the figures above do.
      for (const child of this.processes.filter((child) => /^gateway-[2-9]/.test(child.label)))
        await child.stop();
    }

    if (parts.has('e2e')) {
      await this.infra.purge(`${this.prefix}.send`);
      // End to end is the whole platform: the metrics service turns the run's events into metrics.
      await this.startMetrics();
      for (const count of options.dispatchers) {
        while (this.dispatchers.length < count) await this.startDispatcher();
        log(`end to end, ${count} dispatcher(s)`);
        const saturated = await this.endToEnd(
          { id: `e2e.saturation.${count}`, part: 'e2e', mode: 'saturation', dispatchers: count, gateways: 1 },
          { urls: [gatewayUrl] },
        );
        if (count === options.dispatchers[0]) {
          const rate = Math.max(1, saturated.codesPerSecond / 2);
          await this.endToEnd(
            {
              id: `e2e.fixed.${count}`,
              part: 'e2e',
              mode: 'fixed-rate',
              dispatchers: count,
              gateways: 1,
              targetRate: rate,
            },
            { urls: [gatewayUrl], rate },
          );
        }
      }
    }
  }
}

const options = parseOptions(process.argv.slice(2));
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
} else {
  await new Bench(options).run();
}
