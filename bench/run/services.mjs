import { join } from 'node:path';
import { ceilingProcess, ceilingSettings } from '../lib/ceiling.mjs';
import { gatewayEnv } from '../lib/documents.mjs';
import { freePort, ServiceProcess } from '../lib/processes.mjs';

/**
 * The processes of one bench run: the ceiling server, the gateways, the dispatchers and the metrics
 * service, each labelled for the CPU accounting, with its log in the run's log folder.
 */
export class BenchServices {
  constructor({ options, infra, cpu, logDir, database, prefix, webhookUrl }) {
    Object.assign(this, { options, infra, cpu, logDir, database, prefix, webhookUrl });
    /** @type {ServiceProcess[]} */
    this.processes = [];
    this.gateways = [];
    this.dispatchers = [];
  }

  async startProcess(child, url) {
    child.start();
    this.processes.push(child);
    this.cpu.label(child.pid, child.label);
    await child.waitReady(url);
    return child;
  }

  logFile(label) {
    return join(this.logDir, `${label}.log`);
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

  /** The ceiling (bench/ceiling-server.mjs) on its own database and prefix; answers its URL. */
  async startCeiling({ database, prefix, messageBytes, poolSize }) {
    const port = await freePort();
    const settings = {
      port,
      mongoUrl: this.infra.databaseUrl(database),
      rabbitUrl: this.options.rabbitUrl,
      prefix: this.infra.usePrefix(prefix),
      messageBytes,
      poolSize,
      attemptStrategy: this.options.ceilingAttempts,
      sendEvent: this.options.ceilingEvent,
    };
    const url = `http://127.0.0.1:${port}`;
    const child = ceilingProcess(settings, this.logFile('ceiling'));
    await this.startProcess(child, url);
    return { url, child, ...(await ceilingSettings(url)) };
  }

  gatewayEnv(port) {
    return gatewayEnv({
      port,
      mongoUrl: this.infra.databaseUrl(this.database),
      rabbitUrl: this.options.rabbitUrl,
      prefix: this.infra.usePrefix(this.prefix),
      logLevel: this.options.logLevel,
      testNumbers: this.options.testNumbers,
    });
  }

  dispatcherEnv(port) {
    return {
      ...this.commonEnv(port),
      SMS_PROVIDERS: 'webhook',
      VOICE_PROVIDERS: 'webhook',
      WEBHOOK_URL: this.webhookUrl,
    };
  }

  async startGateway() {
    const port = await freePort();
    const label = `gateway-${this.gateways.length + 1}`;
    const env = this.gatewayEnv(port);
    const url = `http://127.0.0.1:${port}`;
    await this.startProcess(ServiceProcess.service(label, 'gateway', env, this.logFile(label)), url);
    this.gateways.push({ label, url });
    return url;
  }

  /** Stops every gateway but the first (the figures after scaling use one gateway). */
  async stopExtraGateways() {
    for (const child of this.processes.filter((candidate) => /^gateway-[2-9]/.test(candidate.label)))
      await child.stop();
  }

  async startDispatcher() {
    const port = await freePort();
    const label = `dispatcher-${this.dispatchers.length + 1}`;
    const env = this.dispatcherEnv(port);
    const child = ServiceProcess.service(label, 'dispatcher', env, this.logFile(label));
    await this.startProcess(child, `http://127.0.0.1:${port}`);
    this.dispatchers.push({ label, child });
  }

  /** The metrics service, consuming the event stream as in production (its peak memory is reported). */
  async startMetrics() {
    const port = await freePort();
    const env = this.commonEnv(port);
    delete env.MONGODB_URL; // the metrics service has no database
    const child = ServiceProcess.service('metrics', 'metrics', env, this.logFile('metrics'));
    await this.startProcess(child, `http://127.0.0.1:${port}`);
  }

  /** Last started, first stopped. */
  async stopAll() {
    for (const child of [...this.processes].reverse()) await child.stop();
  }

  /** Each process's peak resident memory, read as it stopped. */
  peakMemory() {
    return this.processes.map((child) => ({
      label: child.label,
      peakRssMiB: child.peakRss === undefined ? undefined : Math.round((child.peakRss / 1048576) * 10) / 10,
    }));
  }
}
