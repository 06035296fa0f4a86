import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DedicatedFerretDb } from '@otpflow/testing/dedicated-ferretdb';
import { machineInfo } from '../lib/machine.mjs';
import { removeBenchTopology } from '../lib/topology.mjs';
import { drainDeliveries, driveLoad } from './load.mjs';
import { log } from './log.mjs';
import { loggedProblems, readMetrics } from './logs.mjs';
import { SoakMonitor } from './monitor.mjs';
import { runSettings, soakReport } from './report.mjs';
import { API_KEY, SoakServices } from './services.mjs';
import { SoakTraffic } from './traffic.mjs';
import { SoakWebhook } from './webhook.mjs';
import { runStamp } from '../lib/run-stamp.mjs';

/**
 * One soak, in order: its own FerretDB (the harness's DedicatedFerretDb: a long load on the shared
 * server could wedge it for every test file), a webhook for the dispatcher's provider, the three
 * services, the load with its monitor, the drain, the readings, the shutdown and the report.
 * `cleanUp` removes whatever it started, also after a failure or Ctrl-C (`stopping`).
 */
export class Soak {
  constructor(options) {
    this.options = options;
    const stamp = runStamp();
    this.runId = `soak-${stamp}`;
    this.prefix = `soak_${stamp}.otp`;
    this.database = `otpflow_soak_${stamp}`;
    this.logDir = mkdtempSync(join(tmpdir(), 'otpflow-soak-logs-'));
    this.services = new SoakServices(options, this.logDir);
    this.inFlight = new Set();
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

    // FerretDB 1.24 on SQLite could not hold even 20 mixed requests a second here (its CPU at 130%,
    // latency growing by seconds every minute): `auto` takes PostgreSQL when the local one answers.
    this.ferret = await DedicatedFerretDb.start({
      backend: options.backend,
      postgresDatabase: this.database,
    });
    log(`FerretDB (${this.ferret.backend.kind} backend) on port ${this.ferret.port}`);
    const settings = runSettings(options, { backend: this.ferret.backend.kind });
    this.webhook = await new SoakWebhook().start();
    const databaseUrl = this.ferret.databaseUrl(this.database);
    await this.services.start({
      mongoUrl: databaseUrl,
      prefix: this.prefix,
      webhookUrl: `${this.webhook.url}/sms`,
    });
    const traffic = new SoakTraffic({
      gatewayUrl: this.services.urls.gateway,
      apiKey: API_KEY,
      realNumbers: options.realNumbers,
      testNumbers: options.testNumbers,
      deliveredCode: (id) => this.webhook.messages.get(id)?.code,
    });
    const monitor = new SoakMonitor({
      options,
      pids: () => ({ ...this.services.pids(), ferretdb: this.ferret.pid }),
      inspectors: () => this.services.inspectors,
      databaseUrl,
      database: this.database,
      traffic,
      inFlight: () => this.inFlight.size,
    });
    const stopping = () => this.stopping;
    const load = await driveLoad({
      options,
      traffic,
      monitor,
      inFlight: this.inFlight,
      exited: () => this.services.exited() ?? (this.ferret.running ? undefined : 'ferretdb'),
      stopping,
    });
    if (load.aborted) this.failed = true;
    const drain = await drainDeliveries({ options, traffic, webhook: this.webhook, stopping });
    const metrics = await readMetrics(this.services.urls);
    const shutdown = await this.services.stop();
    const queues = await removeBenchTopology(options.rabbitUrl, this.prefix);
    const serviceNames = Object.keys(this.services.processes);
    const logged = Object.fromEntries(
      serviceNames.map((name) => [name, loggedProblems(this.services.logFile(name))]),
    );
    const outcome = { load, drain, metrics, shutdown, queues, logged };
    return soakReport({
      runId: this.runId,
      startedAt,
      machine,
      settings,
      traffic,
      monitor,
      serviceNames,
      outcome,
    });
  }

  async cleanUp() {
    this.services.closeInspectors();
    for (const service of Object.values(this.services.processes)) await service.stop().catch(() => undefined);
    await removeBenchTopology(this.options.rabbitUrl, this.prefix).catch((error) =>
      log(`could not delete the queues of ${this.prefix}: ${error}`),
    );
    await this.webhook?.close().catch(() => undefined);
    // SIGTERM: a clean shutdown of the soak's server, its whole process group killed if it lingers.
    await this.ferret
      ?.dispose({ signal: 'SIGTERM' })
      .catch((error) => log(`could not stop the soak's FerretDB: ${error}`));
  }
}
