import { readFileSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';

export const MB = 1024 * 1024;

/** Linux reports CPU time in clock ticks of USER_HZ, 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

export interface DescriptorCount {
  total: number;
  /** TCP and Unix sockets: what an unclosed HTTP connection leaves behind. */
  sockets: number;
}

/** The open file descriptors of a process, from /proc (Linux). */
export async function openDescriptors(pid: number): Promise<DescriptorCount> {
  const folder = `/proc/${pid}/fd`;
  const entries = await readdir(folder);
  let sockets = 0;
  for (const entry of entries) {
    // A descriptor can close between readdir and readlink: it simply does not count.
    const target = await readlink(`${folder}/${entry}`).catch(() => '');
    if (target.startsWith('socket:')) sockets += 1;
  }
  return { total: entries.length, sockets };
}

/**
 * A memory line of /proc/<pid>/status in bytes, or undefined once the process has exited. Read
 * synchronously: a sampler reads several processes at one instant.
 */
function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status)?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) * 1024;
  } catch {
    return undefined;
  }
}

/** The resident set size of a live process, in bytes (Linux); undefined once it has exited. */
export function residentBytes(pid: number): number | undefined {
  return statusBytes(pid, 'VmRSS');
}

/** The peak resident set size (VmHWM) of a live process, in bytes; undefined once it has exited. */
export function peakResidentBytes(pid: number): number | undefined {
  return statusBytes(pid, 'VmHWM');
}

/** User + system CPU seconds a process has used so far, all its threads; undefined once it has exited. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // After ')': state(0) ... utime(11) stime(12).
    return ((fields[11] ?? 0) + (fields[12] ?? 0)) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
