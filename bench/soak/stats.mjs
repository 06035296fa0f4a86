import { MB } from '@otpflow/testing/process-stats';
import { latencySummary } from '../lib/latency.mjs';

const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Least-squares slope of y over x: how fast a series grows, robust to one noisy sample. */
export function slope(points) {
  if (points.length < 2) return undefined;
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? undefined : numerator / denominator;
}

/** Latency per minute of the run (by when the answer came), all kinds together. */
export function latencyPerMinute(samples) {
  const minutes = new Map();
  for (const sample of samples) {
    const minute = Math.floor(sample.at / 60);
    const list = minutes.get(minute) ?? [];
    list.push(sample.ms);
    minutes.set(minute, list);
  }
  return [...minutes.keys()]
    .sort((a, b) => a - b)
    .map((minute) => ({ minute: minute + 1, ...latencySummary(minutes.get(minute)) }));
}

/**
 * Memory of one process over the run: first and last sample, growth, and the slope in MB per minute,
 * over every sample and over those after the warm-up (pools, JIT and caches reach their size first).
 */
export function memoryTrend(points, warmupSeconds) {
  if (points.length === 0) return undefined;
  const mb = (bytes) => bytes / MB;
  const first = points[0];
  const last = points[points.length - 1];
  const perMinute = (list) => slope(list.map(([seconds, bytes]) => [seconds / 60, mb(bytes)]));
  const afterWarmup = points.filter(([seconds]) => seconds >= warmupSeconds);
  const slopeAll = perMinute(points);
  const slopeAfterWarmup = perMinute(afterWarmup);
  return {
    firstMb: round(mb(first[1])),
    lastMb: round(mb(last[1])),
    growthMb: round(mb(last[1] - first[1])),
    peakMb: round(mb(Math.max(...points.map(([, bytes]) => bytes)))),
    slopeMbPerMinute: slopeAll === undefined ? undefined : round(slopeAll, 2),
    slopeAfterWarmupMbPerMinute: slopeAfterWarmup === undefined ? undefined : round(slopeAfterWarmup, 2),
  };
}

/** Sums the samples of a Prometheus text-format metric (every label combination). */
export function metricTotal(text, name) {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] === name) total += Number(match[3]);
  }
  return total;
}
