import { setTimeout as sleep } from 'node:timers/promises';
import { latencySummary } from '../lib/latency.mjs';
import { fixedRate, saturate } from '../lib/load.mjs';
import { SEND_PATH } from '../lib/requests.mjs';

/**
 * Send-code (real mobile numbers, so the dispatcher delivers them) until arrival at the webhook, at
 * saturation or at `rate`. The rate is what arrived over the time from the first send to the last
 * arrival, so a backlog the dispatchers have not caught up with when the load stops counts against them.
 */
export async function endToEnd(run, meta, { urls, rate }) {
  const { options, receiver, measurements } = run;
  const { connections, durationSeconds, drainSeconds } = options;
  const sends = new Map();
  const source = run.sources.mobileSend(SEND_PATH, (status, body, sentAt) => {
    if (status === 200) sends.set(JSON.parse(body).authenticationId, sentAt);
  });
  const drain = async () => {
    const deadline = performance.now() + drainSeconds * 1000;
    // Counts only this measurement's codes: a late code of the warm-up must not end the wait early.
    const arrived = () => [...sends.keys()].filter((id) => receiver.arrivals.has(id)).length;
    while (arrived() < sends.size && performance.now() < deadline) await sleep(100);
  };
  const load =
    rate === undefined
      ? () => saturate({ urls, connections, durationSeconds, source })
      : () => fixedRate({ urls, rate, durationSeconds, maxSockets: connections, source });

  await measurements.prepare(run.database);
  if (rate === undefined && options.warmupSeconds > 0) {
    await saturate({ urls, connections, durationSeconds: options.warmupSeconds, source });
    await drain();
  }
  sends.clear();
  receiver.reset();
  return measurements.measure(
    meta,
    run.database,
    async () => {
      const gateway = await load();
      await drain();
      return { ...deliveryFigures(sends, receiver), gateway: gatewayFigures(gateway) };
    },
    urls,
  );
}

function gatewayFigures(gateway) {
  return {
    throughput: gateway.throughput ?? gateway.achievedRate,
    latency: gateway.latency,
    statusCodes: gateway.statusCodes,
  };
}

/** What arrived of what was accepted, how fast and how late. */
function deliveryFigures(sends, receiver) {
  const latencies = [];
  let firstSent = Infinity;
  let lastArrival = 0;
  for (const [id, sentAt] of sends) {
    firstSent = Math.min(firstSent, sentAt);
    const arrivedAt = receiver.arrivals.get(id);
    if (arrivedAt === undefined) continue;
    latencies.push(arrivedAt - sentAt);
    lastArrival = Math.max(lastArrival, arrivedAt);
  }
  const spanSeconds = (lastArrival - firstSent) / 1000;
  return {
    accepted: sends.size,
    delivered: latencies.length,
    undelivered: sends.size - latencies.length,
    duplicates: receiver.duplicates,
    codesPerSecond: spanSeconds > 0 ? Math.round((latencies.length / spanSeconds) * 10) / 10 : 0,
    latency: latencySummary(latencies),
  };
}
