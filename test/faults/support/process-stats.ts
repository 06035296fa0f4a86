import { readdir, readFile, readlink } from 'node:fs/promises';

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

/** The resident set size of a process, in bytes, from /proc (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kilobytes) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kilobytes) * 1024;
}

export const MB = 1024 * 1024;
