import { readFileSync } from 'node:fs';

/** Which part of the program a function belongs to: a package, an otpflow module, Node, or V8. */
export function owner(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : 'V8 / native';
  const modules = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules?.[1]) return modules[1];
  const shared = /\/shared\/([^/]+)\//.exec(url);
  if (shared) return `@otpflow/${shared[1]}`;
  const service = /\/services\/([^/]+)\//.exec(url);
  if (service) return `services/${service[1]}`;
  if (url.startsWith('node:')) return 'Node core';
  return url;
}

/**
 * Self time of a V8 .cpuprofile (node --cpu-prof), by owner and by function, as shares of the time the
 * process was not idle. The profile covers the whole process life; the load makes start-up a small part.
 */
export function summariseCpuProfile(file, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const selfMs = new Map();
  const deltas = profile.timeDeltas ?? [];
  profile.samples.forEach((nodeId, index) => {
    selfMs.set(nodeId, (selfMs.get(nodeId) ?? 0) + (deltas[index] ?? 0) / 1000);
  });
  const byOwner = new Map();
  const byFunction = new Map();
  let busyMs = 0;
  let idleMs = 0;
  for (const node of profile.nodes) {
    const time = selfMs.get(node.id) ?? 0;
    if (time === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += time;
      continue;
    }
    busyMs += time;
    const who = owner(url, functionName);
    byOwner.set(who, (byOwner.get(who) ?? 0) + time);
    const where = url ? `${who} ${url.split('/').pop()}:${lineNumber + 1}` : who;
    const name = `${functionName || '(anonymous)'} (${where})`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + time);
  }
  const rank = (map) =>
    [...map.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, top)
      .map(([name, time]) => ({
        name,
        ms: Math.round(time),
        share: Math.round((time / busyMs) * 1000) / 10,
      }));
  return {
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    byOwner: rank(byOwner),
    byFunction: rank(byFunction),
  };
}
