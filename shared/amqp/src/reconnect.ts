/** Reconnect timing and node order, as pure functions (unit-tested; the connection only applies them). */

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/**
 * The delay before the next round after `failedRounds` consecutive failed rounds: doubling from
 * `initialMs`, capped at `maxMs`, with equal jitter (half fixed, half random), so a fleet of services
 * that lost the broker together does not come back in lockstep.
 */
export function reconnectDelayMs(failedRounds: number, backoff: Backoff, random: () => number): number {
  const exponent = Math.max(0, failedRounds - 1);
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(exponent, 30));
  return Math.round(base / 2 + (base / 2) * random());
}

/** Every node once, starting at `start` and wrapping around: [2, 0, 1] for 3 nodes from 2. */
export function nodeOrder(count: number, start: number): number[] {
  return Array.from({ length: count }, (_, step) => (start + step) % count);
}
