import { cpuSeconds, MB, residentBytes } from '@otpflow/testing/process-stats';
import { MongoClient } from 'mongodb';
import { latencySummary } from '../lib/latency.mjs';
import { log } from './log.mjs';

const mb = (bytes) => Math.round((bytes / MB) * 10) / 10;

/**
 * What the soak watches beside the load: every process's memory and CPU and the last interval's
 * latency every sampleSeconds; each service's memory after a forced full GC every gcSeconds (the leak
 * check); and the documents per collection every countSeconds (on FerretDB every lookup scans, so
 * size is latency).
 */
export class SoakMonitor {
  /**
   * @param {object} run
   * @param {() => Record<string, number | undefined>} run.pids the processes to sample, by name
   */
  constructor({ options, pids, inspectors, databaseUrl, database, traffic, inFlight }) {
    Object.assign(this, { options, pids, inspectors, databaseUrl, database, traffic, inFlight });
    this.samples = [];
    /** Memory after a forced GC, per service. */
    this.retained = [];
    this.tables = [];
    this.timers = [];
  }

  seconds() {
    return Math.round((performance.now() - this.startedAt) / 1000);
  }

  start(startedAt) {
    this.startedAt = startedAt;
    this.previous = this.sample(undefined);
    const { sampleSeconds, gcSeconds, countSeconds } = this.options;
    this.timers.push(setInterval(() => (this.previous = this.sample(this.previous)), sampleSeconds * 1000));
    // The forced collections run one after another, never two at once, beside the load.
    this.collecting = Promise.resolve();
    if (gcSeconds > 0)
      this.timers.push(
        setInterval(
          () => (this.collecting = this.collecting.then(() => this.readRetained())),
          gcSeconds * 1000,
        ),
      );
    this.counting = Promise.resolve();
    this.timers.push(
      setInterval(() => (this.counting = this.counting.then(() => this.readTables())), countSeconds * 1000),
    );
  }

  /** Stops the timers and takes the last readings. */
  async stop() {
    for (const timer of this.timers) clearInterval(timer);
    await this.collecting;
    await this.counting;
    await this.readTables();
    if (this.options.gcSeconds > 0) await this.readRetained();
    this.sample(this.previous);
  }

  /** Each service's heap and external memory after a forced full GC. */
  async readRetained() {
    const entry = { at: this.seconds() };
    for (const [name, inspector] of Object.entries(this.inspectors())) {
      try {
        const memory = await inspector.memoryAfterGc();
        entry[name] = {
          heapUsedMb: mb(memory.heapUsed),
          externalMb: mb(memory.external),
          rssMb: mb(memory.rss),
        };
      } catch (error) {
        entry[name] = { error: String(error) };
      }
    }
    this.retained.push(entry);
  }

  /** Memory, CPU and the last interval's latency; answers what the next sample compares with. */
  sample(previous) {
    const now = performance.now();
    const seconds = (now - this.startedAt) / 1000;
    const entry = { at: Math.round(seconds), processes: {} };
    for (const [name, pid] of Object.entries(this.pids())) {
      const rss = residentBytes(pid);
      const cpu = cpuSeconds(pid);
      const before = previous?.cpu[name];
      entry.processes[name] = {
        rssMb: rss === undefined ? undefined : mb(rss),
        cpuPercent:
          cpu !== undefined && before !== undefined && previous
            ? Math.round(((cpu - before) / ((now - previous.now) / 1000)) * 1000) / 10
            : undefined,
        rssBytes: rss,
      };
    }
    const window = this.traffic.samples.filter((sample) => sample.at > (previous ? previous.at : 0));
    entry.requests = window.length;
    entry.unexpected = window.filter((sample) => !sample.ok).length;
    entry.latency = latencySummary(window.map((sample) => sample.ms));
    entry.inFlight = this.inFlight();
    this.samples.push(entry);
    const memory = Object.entries(entry.processes)
      .map(([name, process]) => `${name} ${process.rssMb} MB ${process.cpuPercent ?? '-'}%`)
      .join(', ');
    log(
      `${entry.at}s: ${entry.requests} answers (${entry.unexpected} unexpected), p50 ${entry.latency.p50 ?? '-'} ms, ` +
        `p99 ${entry.latency.p99 ?? '-'} ms, in flight ${entry.inFlight}; ${memory}`,
    );
    const cpu = Object.fromEntries(Object.entries(this.pids()).map(([name, pid]) => [name, cpuSeconds(pid)]));
    return { at: seconds, now, cpu };
  }

  /** Counts the documents of every collection of the soak's database (one count per collection). */
  async readTables() {
    const client = new MongoClient(this.databaseUrl, { serverSelectionTimeoutMS: 2_000 });
    try {
      const database = client.db(this.database);
      const names = (await database.listCollections({}, { nameOnly: true }).toArray()).map(
        ({ name }) => name,
      );
      const sizes = {};
      for (const name of names.sort()) sizes[name] = await database.collection(name).countDocuments();
      this.tables.push({ at: this.seconds(), sizes });
    } catch (error) {
      log(`could not count the collections: ${error}`);
    } finally {
      await client.close();
    }
  }
}
