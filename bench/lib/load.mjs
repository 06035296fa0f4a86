import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { latencySummary } from './latency.mjs';

/**
 * A request source: what each request sends, and what to do with the answer.
 * @typedef {object} RequestSource
 * @property {string} path
 * @property {Record<string, string>} headers
 * @property {() => string} nextBody called once per request, just before it is written
 * @property {(status: number, body: string, sentAt: number) => void} [onResponse] sentAt: performance.now()
 */

/** One keep-alive agent per URL, `maxSockets` spread over them. */
function targetsOf(urls, maxSockets) {
  return urls.map((url) => {
    const { hostname, port } = new URL(url);
    return {
      hostname,
      port: Number(port),
      agent: new Agent({ keepAlive: true, maxSockets: Math.ceil(maxSockets / urls.length) }),
    };
  });
}

/**
 * POSTs the source's next body to `target`; resolves with the status (0 when the request failed or
 * took 30 s), after handing the answer to the source.
 */
function post(target, source, startedAt) {
  return new Promise((resolve) => {
    const body = source.nextBody();
    const outgoing = request(
      {
        hostname: target.hostname,
        port: target.port,
        agent: target.agent,
        method: 'POST',
        path: source.path,
        headers: { ...source.headers, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          source.onResponse?.(status, Buffer.concat(chunks).toString('utf8'), startedAt);
          resolve(status);
        });
      },
    );
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', () => resolve(0));
    outgoing.end(body);
  });
}

/**
 * Closed-loop saturation: `connections` connections, each sending its next request as soon as the
 * previous one is answered, spread round-robin over the URLs (one per gateway process). When the time
 * is up no request starts, and the ones in flight are waited for and counted: a server keeps working
 * on a request its client abandoned, so a generator that drops them (as autocannon does) leaves their
 * store commands and CPU in the next measurement and charges them to fewer requests. Throughput counts
 * successful (2xx) answers over the whole time, the drain included.
 * @param {{ urls: string[], connections: number, durationSeconds: number, source: RequestSource }} options
 */
export async function saturate({ urls, connections, durationSeconds, source }) {
  const targets = targetsOf(urls, connections);
  const latencies = [];
  const statusCodes = {};
  let requests = 0;
  let ok = 0;
  let errors = 0;
  const startedAt = performance.now();
  const endAt = startedAt + durationSeconds * 1000;
  const connection = async (index) => {
    const target = targets[index % targets.length];
    while (performance.now() < endAt) {
      const sentAt = performance.now();
      const status = await post(target, source, sentAt);
      latencies.push(performance.now() - sentAt);
      requests += 1;
      if (status === 0) errors += 1;
      else statusCodes[status] = (statusCodes[status] ?? 0) + 1;
      if (status >= 200 && status < 300) ok += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, index) => connection(index)));
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  for (const target of targets) target.agent.destroy();
  return {
    kind: 'saturation',
    urls: urls.length,
    connections,
    durationSeconds: Math.round(elapsedSeconds * 100) / 100,
    requests,
    ok,
    non2xx: requests - ok - errors,
    errors,
    statusCodes,
    throughput: Math.round((ok / elapsedSeconds) * 10) / 10,
    latency: latencySummary(latencies),
  };
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate whatever happened to the earlier
 * ones, and its latency is measured from when it was due, so a slow answer cannot hide the requests
 * that queue behind it (no coordinated omission). (autocannon's `overallRate` would send each
 * connection's per-second quota back to back at the top of every second: bursts at full speed rather
 * than a steady rate.)
 * @param {{ urls: string[], rate: number, durationSeconds: number, maxSockets: number, source: RequestSource }} options
 */
export async function fixedRate({ urls, rate, durationSeconds, maxSockets, source }) {
  const targets = targetsOf(urls, maxSockets);
  const total = Math.max(1, Math.round(rate * durationSeconds));
  const latencies = [];
  const statusCodes = {};
  let errors = 0;
  let ok = 0;

  const send = async (index, dueAt) => {
    const status = await post(targets[index % targets.length], source, dueAt);
    latencies.push(performance.now() - dueAt);
    if (status === 0) {
      errors += 1;
      return;
    }
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    if (status >= 200 && status < 300) ok += 1;
  };

  const startedAt = performance.now();
  const inFlight = [];
  for (let index = 0; index < total; index += 1) {
    const dueAt = startedAt + (index * 1000) / rate;
    const wait = dueAt - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(send(index, dueAt));
  }
  const sendingSeconds = (performance.now() - startedAt) / 1000;
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  for (const target of targets) target.agent.destroy();
  return {
    kind: 'fixed-rate',
    urls: urls.length,
    targetRate: rate,
    requests: total,
    ok,
    errors,
    statusCodes,
    achievedRate: Math.round((total / sendingSeconds) * 10) / 10,
    durationSeconds: Math.round(elapsedSeconds * 100) / 100,
    latency: latencySummary(latencies),
  };
}

/**
 * `count` requests one at a time, each sent `pauseMs` after the previous answer: every request runs by
 * itself (its own event-loop wake-ups, nothing shared with a neighbour) however slow the server, as at
 * a fixed rate the server answers well within the interval. bench/instructions.mjs loads processes
 * under valgrind so: there a fixed rate they cannot keep up with queues requests into shared wake-ups
 * (and into the gateway's publish-confirm timeout), and what a request counts then depends on the
 * machine's load.
 * @param {{ url: string, count: number, pauseMs: number, source: RequestSource }} options
 */
export async function oneAtATime({ url, count, pauseMs, source }) {
  const [target] = targetsOf([url], 1);
  const latencies = [];
  const statusCodes = {};
  let ok = 0;
  const startedAt = performance.now();
  for (let index = 0; index < count; index += 1) {
    const sentAt = performance.now();
    const status = await post(target, source, sentAt);
    latencies.push(performance.now() - sentAt);
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    if (status >= 200 && status < 300) ok += 1;
    await sleep(pauseMs);
  }
  target.agent.destroy();
  return {
    kind: 'one-at-a-time',
    requests: count,
    ok,
    statusCodes,
    durationSeconds: Math.round(performance.now() - startedAt) / 1000,
    latency: latencySummary(latencies),
  };
}
