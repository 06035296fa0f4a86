import { setTimeout as sleep } from 'node:timers/promises';
import { latencySummary } from '../lib/latency.mjs';
import { log } from './log.mjs';
import { KindScheduler, MIX } from './mix.mjs';

/**
 * Open loop at a fixed rate: request i is due at start + i/rate, whatever the earlier ones did. Stops
 * early when asked (`stopping()`), when a process exits, or when far more requests wait than the rate
 * explains (the system has stalled, and the soak says so).
 */
export async function driveLoad({ options, traffic, monitor, inFlight, exited, stopping }) {
  const scheduler = new KindScheduler(MIX);
  const total = Math.round(options.minutes * 60 * options.rate);
  const stalled = options.rate * options.stallSeconds;
  const startedAt = performance.now();
  monitor.start(startedAt);
  let sent = 0;
  let aborted;
  for (let index = 0; index < total && !stopping(); index += 1) {
    const dueAt = startedAt + (index * 1000) / options.rate;
    const wait = dueAt - performance.now();
    if (wait > 1) await sleep(wait);
    const gone = exited();
    if (gone) aborted = `${gone} exited during the load`;
    else if (inFlight.size > stalled) aborted = `${inFlight.size} requests in flight`;
    if (aborted) break;
    const request = traffic.send(scheduler.next(), dueAt, startedAt);
    inFlight.add(request);
    void request.then(() => inFlight.delete(request));
    sent += 1;
  }
  const sendingSeconds = (performance.now() - startedAt) / 1000;
  await Promise.all(inFlight);
  await monitor.stop();
  traffic.close();
  if (aborted) log(`load aborted: ${aborted}`);
  return {
    sent,
    planned: total,
    sendingSeconds: Math.round(sendingSeconds * 10) / 10,
    achievedRate: Math.round((sent / sendingSeconds) * 100) / 100,
    interrupted: stopping(),
    aborted,
  };
}

/** Waits until every code promised to a real number has reached the webhook, or the time is up. */
export async function drainDeliveries({ options, traffic, webhook, stopping }) {
  const promised = traffic.promised;
  const started = performance.now();
  const deadline = Date.now() + options.drainSeconds * 1000;
  const arrived = webhook.messages;
  const missing = () => [...promised.keys()].filter((id) => !arrived.has(id));
  while (missing().length > 0 && Date.now() < deadline && !stopping()) await sleep(250);
  const lost = missing();
  const arrivalLatency = [...promised]
    .filter(([id]) => arrived.has(id))
    .map(([id, dueAt]) => arrived.get(id).arrivedAt - dueAt);
  const unasked = [...arrived.keys()].filter((id) => !promised.has(id)).length;
  const repeats = webhook.repeats();
  return {
    promised: promised.size,
    delivered: promised.size - lost.length,
    lost: lost.length,
    lostIds: lost.slice(0, 20),
    repeatsSameKey: repeats.sameKey,
    deliveredUnderSeveralKeys: repeats.otherKeys,
    deliveredUnasked: unasked,
    unreadable: webhook.unreadable,
    drainMs: Math.round(performance.now() - started),
    requestToWebhookMs: latencySummary(arrivalLatency),
  };
}
