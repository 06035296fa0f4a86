import { setTimeout as sleep } from 'node:timers/promises';
import { CpuAccounting } from '../lib/cpu.mjs';
import { fixedRate, saturate } from '../lib/load.mjs';
import { idleStoreCommands, readStoreCommands, storeCommandsPerRequest } from '../lib/store-commands.mjs';
import { log } from './log.mjs';

/**
 * The run's measurements, in order (`phases`): each one's load result with the CPU every part of the
 * system spent on it, the collections' sizes after it and, for otpflow's gateways, the store commands
 * they sent per answered request; and the idle figures each is judged against.
 */
export class Measurements {
  constructor({ options, cpu, infra }) {
    Object.assign(this, { options, cpu, infra });
    this.phases = [];
    /** CPU seconds a second of each server's process when idle (measureIdle). */
    this.idleCpuPerSecond = {};
  }

  /** Runs one measurement and records it (`gatewayUrls`: the otpflow gateways whose store commands count). */
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

  /**
   * What the server's process (`group`: gateway or ceiling) spends idle, in CPU seconds a second:
   * timers, the driver's pool and server monitoring, broker heartbeats. Each measurement records it
   * (`idleCpuPerSecond`), so the report can tell the work of the requests from the cost of running.
   * For otpflow the same window gives the store commands the gateways send on their own.
   */
  async measureIdle(group, urls) {
    const seconds = this.options.backgroundSeconds;
    const before = this.cpu.snapshot();
    if (group === 'gateway') this.storeBackground = await idleStoreCommands(urls, seconds, sleep);
    else await sleep(seconds * 1000);
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

  async saturation(meta, database, urls, source) {
    const { connections, warmupSeconds, durationSeconds } = this.options;
    if (warmupSeconds > 0) await saturate({ urls, connections, durationSeconds: warmupSeconds, source });
    return this.measure(
      { ...meta, mode: 'saturation' },
      database,
      () => saturate({ urls, connections, durationSeconds, source }),
      commandUrls(meta, urls),
    );
  }

  async fixed(meta, database, urls, rate, source) {
    const { connections, durationSeconds } = this.options;
    return this.measure(
      { ...meta, mode: 'fixed-rate' },
      database,
      () => fixedRate({ urls, rate, durationSeconds, maxSockets: connections, source }),
      commandUrls(meta, urls),
    );
  }
}

/** otpflow's gateways report their store commands; the ceiling has none to report. */
function commandUrls(meta, urls) {
  return meta.part === 'ceiling' ? [] : urls;
}
