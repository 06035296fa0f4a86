import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks of USER_HZ, 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

function readProcessTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: fields are counted after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat
      .slice(close + 2)
      .split(' ')
      .map((field) => Number(field));
    // After ')' : state(0) ... utime(11) stime(12).
    return { comm, ticks: (fields[11] ?? 0) + (fields[12] ?? 0) };
  } catch {
    return undefined;
  }
}

function readCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Busy and total ticks of the whole machine (all cores), from the first line of /proc/stat. */
function readMachineTicks() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = values;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * Attributes CPU time to the parts of the system under test: our own children by label, the store
 * (FerretDB and PostgreSQL), the broker (RabbitMQ's Erlang VM), the load generator (this process), and
 * everything else on the machine, which is what tells a busy shared machine from a clean run.
 */
export class CpuAccounting {
  /**
   * @param {{ mongoPort: number }} settings which FerretDB is ours (several may run on one machine)
   */
  constructor({ mongoPort }) {
    this.mongoPort = mongoPort;
    /** @type {Map<number, string>} pid → label, for processes we started */
    this.labels = new Map();
  }

  /** The PostgreSQL database behind our FerretDB, from its --postgresql-url (once found, kept). */
  postgresDatabase() {
    if (this.pgDatabase !== undefined) return this.pgDatabase;
    this.pgDatabase = '';
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const args = readCmdline(Number(entry));
      if (!args.startsWith('ferretdb') || !args.includes(`:${this.mongoPort}`)) continue;
      const url = /--postgresql-url=(\S+)/.exec(args)?.[1];
      if (url) this.pgDatabase = new URL(url).pathname.slice(1);
    }
    return this.pgDatabase;
  }

  label(pid, label) {
    if (pid !== undefined) this.labels.set(pid, label);
  }

  classify(pid, comm) {
    const own = this.labels.get(pid);
    if (own) return own.replace(/-\d+$/, '');
    if (pid === process.pid) return 'load generator (bench)';
    if (comm === 'ferretdb') {
      return readCmdline(pid).includes(`:${this.mongoPort}`) ? 'ferretdb' : 'other';
    }
    if (comm === 'postgres') {
      // A backend's title names its database ("postgres: 15/main: user database host"): only those of
      // our FerretDB's database are ours; the server's own processes (walwriter...) are shared.
      const title = readCmdline(pid);
      const database = this.postgresDatabase();
      if (!database || !/\(\d+\)/.test(title)) return 'postgresql';
      return title.includes(` ${database} `) ? 'postgresql' : 'other';
    }
    if (comm === 'beam.smp' || comm === 'erl_child_setup' || comm === 'epmd') return 'rabbitmq';
    return 'other';
  }

  /** Per-pid ticks of every process, and the machine's totals. */
  snapshot() {
    const processes = new Map();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const read = readProcessTicks(pid);
      if (read) processes.set(pid, { ...read, group: this.classify(pid, read.comm) });
    }
    return { at: performance.now(), machine: readMachineTicks(), processes };
  }

  /**
   * CPU seconds per group between two snapshots. Processes that lived through only part of the window
   * are counted from zero; the machine total includes short-lived processes that came and went, and
   * whatever no group explains is reported as "other".
   */
  static diff(before, after) {
    const groups = {};
    for (const [pid, now] of after.processes) {
      const then = before.processes.get(pid);
      const ticks = now.ticks - (then && then.comm === now.comm ? then.ticks : 0);
      if (ticks <= 0) continue;
      groups[now.group] = (groups[now.group] ?? 0) + ticks / TICKS_PER_SECOND;
    }
    const wallSeconds = (after.at - before.at) / 1000;
    const machineBusy = (after.machine.busy - before.machine.busy) / TICKS_PER_SECOND;
    const machineTotal = (after.machine.total - before.machine.total) / TICKS_PER_SECOND;
    const attributed = Object.entries(groups)
      .filter(([group]) => group !== 'other')
      .reduce((sum, [, seconds]) => sum + seconds, 0);
    groups.other = Math.max(0, machineBusy - attributed);
    return {
      wallSeconds,
      machineBusySeconds: machineBusy,
      machineUtilisation: machineTotal > 0 ? machineBusy / machineTotal : 0,
      groups: Object.fromEntries(Object.entries(groups).sort(([, a], [, b]) => b - a)),
    };
  }
}
