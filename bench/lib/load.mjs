import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { latencySummary } from './latency.mjs';

/**
 * A request source: what each request sends, and what to do with the answer.
 * @typedef {object} RequestSource
 * @property {string} path
 * @property {Record<string, string>} headers
 * @property {() => string} nextBody called once per request, just before it is written
 * @property {(status: number, body: string, sentAt: number) => void} [onResponse] sentAt: performance.now()
 */

/**
 * Closed-loop saturation with autocannon: `connections` connections, each sending its next request as
 * soon as the previous one is answered, spread round-robin over the URLs (one per gateway process).
 * Throughput counts successful (2xx) answers only.
 * @param {{ urls: string[], connections: number, durationSeconds: number, source: RequestSource }} options
 */
export async function saturate({ urls, connections, durationSeconds, source }) {
  const sentAt = new WeakMap();
  const result = await autocannon({
    url: urls.length === 1 ? urls[0] : urls,
    connections,
    duration: durationSeconds,
    // A request that takes this long is an error, not a latency sample.
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: source.path,
        headers: source.headers,
        setupRequest: (requestData, context) => {
          // setupRequest runs when the request is about to be written: its time is the send time.
          sentAt.set(context, performance.now());
          return { ...requestData, body: source.nextBody() };
        },
        onResponse: (status, body, context) => {
          source.onResponse?.(status, body, sentAt.get(context) ?? performance.now());
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    kind: 'saturation',
    urls: urls.length,
    connections,
    durationSeconds: result.duration,
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count]),
    ),
    throughput: Math.round((ok / result.duration) * 10) / 10,
    latency: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  };
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate whatever happened to the earlier
 * ones, and its latency is measured from when it was due, so a slow answer cannot hide the requests
 * that queue behind it (no coordinated omission). autocannon's `overallRate` is not used for this: it
 * lets each connection send its whole per-second quota back to back at the top of every second, which
 * measures bursts at full speed rather than a steady rate.
 * @param {{ urls: string[], rate: number, durationSeconds: number, maxSockets: number, source: RequestSource }} options
 */
export async function fixedRate({ urls, rate, durationSeconds, maxSockets, source }) {
  const targets = urls.map((url) => {
    const { hostname, port } = new URL(url);
    return {
      hostname,
      port: Number(port),
      agent: new Agent({ keepAlive: true, maxSockets: Math.ceil(maxSockets / urls.length) }),
    };
  });
  const total = Math.max(1, Math.round(rate * durationSeconds));
  const latencies = [];
  const statusCodes = {};
  let errors = 0;
  let ok = 0;

  const send = (index, dueAt) =>
    new Promise((resolve) => {
      const target = targets[index % targets.length];
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
            latencies.push(performance.now() - dueAt);
            statusCodes[status] = (statusCodes[status] ?? 0) + 1;
            if (status >= 200 && status < 300) ok += 1;
            source.onResponse?.(status, Buffer.concat(chunks).toString('utf8'), dueAt);
            resolve();
          });
        },
      );
      outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('timeout')));
      outgoing.on('error', () => {
        errors += 1;
        resolve();
      });
      outgoing.end(body);
    });

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
