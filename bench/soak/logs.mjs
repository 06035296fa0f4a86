import { existsSync, readFileSync } from 'node:fs';
import { metricTotal } from './stats.mjs';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * The error and warning lines a service logged (pino JSON: level 40 and up), counted, with the first
 * few in short: a 500 in the soak's answers comes with its cause.
 */
export function loggedProblems(file) {
  if (!existsSync(file)) return undefined;
  const problems = { warnings: 0, errors: 0, first: [] };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    // pino writes its level as a number, or as a label with the formatter the services use.
    const level = typeof entry.level === 'number' ? entry.level : (LEVELS[entry.level] ?? 0);
    if (level < 40) continue;
    if (level >= 50) problems.errors += 1;
    else problems.warnings += 1;
    if (problems.first.length < 8) {
      problems.first.push({
        level: entry.level,
        time: entry.time,
        msg: entry.msg,
        err: entry.err
          ? `${entry.err.type ?? ''}: ${String(entry.err.message ?? '').slice(0, 300)}`
          : undefined,
      });
    }
  }
  return problems;
}

async function scrape(url) {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return await response.text();
  } catch {
    return '';
  }
}

/** The metrics service's own count of the traffic (and the gateway's), against what the soak saw. */
export async function readMetrics(urls) {
  const text = await scrape(urls.metrics);
  const gateway = await scrape(urls.gateway);
  return {
    codesRequested: metricTotal(text, 'otpflow_codes_requested_total'),
    codesSent: metricTotal(text, 'otpflow_codes_sent_total'),
    codesVerified: metricTotal(text, 'otpflow_codes_verified_total'),
    codesRejected: metricTotal(text, 'otpflow_codes_rejected_total'),
    eventsCounted: metricTotal(text, 'otpflow_metrics_events_total'),
    gatewayRequests: metricTotal(gateway, 'otpflow_http_requests_total'),
  };
}
