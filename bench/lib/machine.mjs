import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';

function run(command, args) {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 20_000,
    })
      .trim()
      .replaceAll(/\s+\n/g, '\n');
  } catch {
    return undefined;
  }
}

/** CPU model, cores and memory from /proc, and the kernel. */
export function machineInfo() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  return {
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((memKb / 1024 / 1024) * 10) / 10,
    kernel: release(),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

/** Versions of everything in the path of a request. */
export function versions({ ferretdbBuildInfo, postgresVersion }) {
  const rabbit = run('rabbitmqctl', ['version']);
  const ferret = run('ferretdb', ['--version']);
  return {
    node: process.version,
    rabbitmq: rabbit?.split('\n').pop() ?? 'unknown',
    erlang: run('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().']),
    ferretdb: /^version:\s*(\S+)/m.exec(ferret ?? '')?.[1] ?? ferretdbBuildInfo ?? 'unknown',
    postgresql:
      postgresVersion ??
      run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'show server_version']) ??
      run('psql', ['--version']) ??
      'unknown',
  };
}

/** How FerretDB stores data (its command line names the backend), if it runs on this machine. */
export function ferretdbBackend(port) {
  const processes = run('ps', ['-eo', 'args']) ?? '';
  const line = processes.split('\n').find((args) => args.startsWith('ferretdb') && args.includes(`:${port}`));
  return /--handler=(\S+)/.exec(line ?? '')?.[1] ?? 'unknown';
}
