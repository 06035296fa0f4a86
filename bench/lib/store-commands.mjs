/**
 * Store commands per request, from the gateways' own `otpflow_store_commands_total{command,collection}`
 * (counted on the driver's pool connections, shared/mongo/src/command-metrics.ts): read before and after a
 * measurement, with what the gateways send when idle (expiry sweeps, readiness pings, lease refills
 * of the background) subtracted.
 */

/** `command collection` → count, summed over the gateways. */
export async function readStoreCommands(urls) {
  const totals = new Map();
  for (const url of urls) {
    const page = await (await fetch(`${url}/metrics`)).text();
    for (const match of page.matchAll(/^otpflow_store_commands_total\{([^}]*)\} ([\d.e+]+)$/gm)) {
      const labels = Object.fromEntries([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const key = labels.collection ? `${labels.command} ${labels.collection}` : labels.command;
      totals.set(key, (totals.get(key) ?? 0) + Number(match[2]));
    }
  }
  return totals;
}

function difference(before, after) {
  const delta = new Map();
  for (const [key, count] of after) {
    const grown = count - (before.get(key) ?? 0);
    if (grown > 0) delta.set(key, grown);
  }
  return delta;
}

/** Commands per second when nothing is asked of the gateways, over `seconds`. */
export async function idleStoreCommands(urls, seconds, sleep) {
  const before = await readStoreCommands(urls);
  const startedAt = performance.now();
  await sleep(seconds * 1000);
  const after = await readStoreCommands(urls);
  const elapsed = (performance.now() - startedAt) / 1000;
  const perSecond = {};
  for (const [key, count] of difference(before, after)) perSecond[key] = count / elapsed;
  return perSecond;
}

/**
 * What one measurement cost the store, per answered request: the commands counted between `before`
 * and `after`, less `background` (per second) over `wallSeconds`.
 */
export function storeCommandsPerRequest(before, after, { requests, wallSeconds, background = {} }) {
  const byCommand = {};
  let total = 0;
  for (const [key, count] of difference(before, after)) {
    const net = count - (background[key] ?? 0) * wallSeconds;
    if (net <= 0 || requests <= 0) continue;
    byCommand[key] = Math.round((net / requests) * 1000) / 1000;
    total += net;
  }
  const sorted = Object.fromEntries(Object.entries(byCommand).sort(([, a], [, b]) => b - a));
  return {
    perRequest: requests > 0 ? Math.round((total / requests) * 100) / 100 : undefined,
    byCommand: sorted,
  };
}
