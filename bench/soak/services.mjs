import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InspectorSession } from '@otpflow/testing/inspector';
import { freePort, ServiceProcess } from '../lib/processes.mjs';
import { log } from './log.mjs';
import { SOAK_CODE, testNumber } from './mix.mjs';

export const API_KEY = 'soak-api-key-0123456789abcdef';
const CLIENT_ID = 'soak-client';
const NAMES = ['gateway', 'dispatcher', 'metrics'];

/**
 * The services' settings that shape the soak, the one place they are written: the services run with
 * them and the report states them.
 */
export const SERVICE_SETTINGS = {
  // Short lives keep the store at a steady size within the soak (ended sessions leave after a
  // minute, swept every 30 s), so what drifts is the services, not FerretDB's table scans.
  TOMBSTONE_SECONDS: 60,
  EXPIRY_SWEEP_INTERVAL_MS: 30_000,
  CODE_TTL_SECONDS: 120,
  // Limits raised: the soak measures the work, not the refusals.
  MAX_SENDS: 1000,
  SEND_WINDOW_SECONDS: 60,
  CLIENT_RATE_LIMIT: 1_000_000_000,
  CLIENT_QUOTA: 1_000_000_000,
};
const asEnv = (settings) => Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]));

function environments(options, { ports, mongoUrl, prefix, webhookUrl }) {
  const { TOMBSTONE_SECONDS, EXPIRY_SWEEP_INTERVAL_MS, ...gatewayOnly } = SERVICE_SETTINGS;
  const base = { NODE_ENV: 'development', LOG_LEVEL: options.logLevel, HOST: '127.0.0.1' };
  const broker = { RABBITMQ_URL: options.rabbitUrl, AMQP_PREFIX: prefix };
  const common = {
    ...base,
    ...broker,
    MONGODB_URL: mongoUrl,
    ...asEnv({ TOMBSTONE_SECONDS, EXPIRY_SWEEP_INTERVAL_MS }),
  };
  return {
    gateway: {
      ...common,
      PORT: String(ports.gateway),
      API_KEYS: `${API_KEY}:${CLIENT_ID}`,
      CODE_HASH_SECRET: 'soak-code-hash-secret-0123456789abcdef',
      TEST_NUMBERS: Array.from(
        { length: options.testNumbers },
        (_, n) => `${testNumber(n, options.testNumbers)}:${SOAK_CODE}`,
      ).join(','),
      ...asEnv(gatewayOnly),
    },
    dispatcher: {
      ...common,
      PORT: String(ports.dispatcher),
      SMS_PROVIDERS: 'webhook',
      VOICE_PROVIDERS: 'webhook',
      WEBHOOK_URL: webhookUrl,
    },
    metrics: { ...base, ...broker, PORT: String(ports.metrics) },
  };
}

/**
 * The gateway, the dispatcher and the metrics service of one soak, from their build output, each
 * with its log file and, when the soak reads retained memory, an inspector session.
 */
export class SoakServices {
  constructor(options, logDir) {
    this.options = options;
    this.logDir = logDir;
    /** @type {Record<string, ServiceProcess>} */
    this.processes = {};
    /** @type {Record<string, InspectorSession>} */
    this.inspectors = {};
    this.urls = {};
  }

  logFile(name) {
    return join(this.logDir, `${name}.log`);
  }

  async start({ mongoUrl, prefix, webhookUrl }) {
    const ports = {};
    for (const name of NAMES) ports[name] = await freePort();
    this.urls = Object.fromEntries(NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}`]));
    const env = environments(this.options, { ports, mongoUrl, prefix, webhookUrl });
    const { gcSeconds } = this.options;
    for (const name of NAMES) {
      const logFile = this.logFile(name);
      // A random loopback port for the inspector: the soak forces a GC through it to read retained memory.
      const inspect = gcSeconds > 0 ? { NODE_OPTIONS: '--inspect=127.0.0.1:0' } : {};
      const service = ServiceProcess.service(name, name, { ...env[name], ...inspect }, logFile);
      service.start();
      this.processes[name] = service;
      await service.waitReady(this.urls[name], 60_000);
      if (gcSeconds > 0)
        this.inspectors[name] = await InspectorSession.attach(() => readFileSync(logFile, 'utf8'));
      log(`${name} ready (pid ${service.pid})`);
    }
  }

  /** Process id per service name. */
  pids() {
    return Object.fromEntries(Object.entries(this.processes).map(([name, service]) => [name, service.pid]));
  }

  /** The first service that is no longer running, if any. */
  exited() {
    return Object.entries(this.processes).find(([, service]) => !service.running)?.[0];
  }

  closeInspectors() {
    for (const inspector of Object.values(this.inspectors)) inspector.close();
    this.inspectors = {};
  }

  /** Front to back, as a rolling shutdown would: nothing new comes in while the rest drains. */
  async stop() {
    this.closeInspectors();
    const exits = {};
    for (const name of NAMES) {
      const service = this.processes[name];
      if (!service) continue;
      const started = performance.now();
      await service.stop();
      exits[name] = { ...service.exit, stopMs: Math.round(performance.now() - started) };
    }
    return exits;
  }
}
