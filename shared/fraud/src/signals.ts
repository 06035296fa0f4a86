import type { FraudThresholds } from './fraud-settings.js';
import type { Count } from './sliding-counts.js';

/** Why a send is refused: closed, so events, metrics and the docs name the same set. */
export const FRAUD_REASONS = [
  'country_velocity',
  'prefix_velocity',
  'dense_range',
  'address_velocity',
  'low_conversion',
] as const;
export type FraudReason = (typeof FRAUD_REASONS)[number];

/** What one signal says about a send: nothing, or refuse it (blocking `target`, or throttling it). */
export type Finding =
  | { kind: 'block'; reason: FraudReason; target: string }
  | { kind: 'throttle'; reason: FraudReason; target: string };

/** The counts a send is judged on, this send included. */
export interface Observation {
  country: Count;
  cc3: Count;
  cc5: Count;
  /** Distinct numbers seen in the number's block of a hundred. */
  denseNumbers: number;
  ip?: Count;
  subnet?: Count;
}

export interface Targets {
  country: string;
  cc3: string;
  cc5: string;
  block: string;
  ip?: string;
  subnet?: string;
}

const over = (count: number, threshold: number) => threshold > 0 && count > threshold;

/** Too many sends to one range: the narrowest range over its threshold is blocked. */
export function prefixVelocity(
  observed: Observation,
  limits: FraudThresholds,
  targets: Targets,
): Finding | undefined {
  if (over(observed.cc5.sent, limits.cc5Velocity))
    return { kind: 'block', reason: 'prefix_velocity', target: targets.cc5 };
  if (over(observed.cc3.sent, limits.cc3Velocity))
    return { kind: 'block', reason: 'prefix_velocity', target: targets.cc3 };
  // A whole country is never blocked by volume alone: it is slowed down, and conversion decides.
  if (over(observed.country.sent, limits.countryVelocity))
    return { kind: 'throttle', reason: 'country_velocity', target: targets.country };
  return undefined;
}

/** Many different numbers of one block of a hundred: a sequential or dense sweep. */
export function denseRange(
  observed: Observation,
  limits: FraudThresholds,
  targets: Targets,
): Finding | undefined {
  return over(observed.denseNumbers, limits.denseNumbers)
    ? { kind: 'block', reason: 'dense_range', target: targets.block }
    : undefined;
}

/** Too many sends for one end-user address, or for one network of them. */
export function addressVelocity(
  observed: Observation,
  limits: FraudThresholds,
  targets: Targets,
): Finding | undefined {
  if (observed.ip && targets.ip && over(observed.ip.sent, limits.ipVelocity))
    return { kind: 'block', reason: 'address_velocity', target: targets.ip };
  if (observed.subnet && targets.subnet && over(observed.subnet.sent, limits.subnetVelocity))
    return { kind: 'block', reason: 'address_velocity', target: targets.subnet };
  return undefined;
}

/**
 * verified ÷ sent, over the sends that had time to be verified (those of the buckets before the
 * current one: a code sent a second ago is not a code nobody entered); undefined until the range has
 * enough of them to say.
 */
export function conversionOf(count: Count, sample: number): number | undefined {
  return count.matureSent >= sample ? Math.min(1, count.verified / count.matureSent) : undefined;
}

/**
 * Codes that are sent and never entered: what pumping looks like from the inside, however it spreads
 * its sends. Judged at the narrowest range with enough sends to say (cc+5, cc+3, the country).
 */
export function lowConversion(
  observed: Observation,
  limits: FraudThresholds,
  targets: Targets,
): Finding | undefined {
  const ranges = [
    [observed.cc5, targets.cc5],
    [observed.cc3, targets.cc3],
    ...(limits.judgeCountry === false ? [] : ([[observed.country, targets.country]] as const)),
  ] as const;
  for (const [tally, target] of ranges) {
    const conversion = conversionOf(tally, limits.conversionSample);
    if (conversion !== undefined && conversion < limits.minConversion)
      return { kind: 'block', reason: 'low_conversion', target };
  }
  return undefined;
}

/** Every signal, in the order their findings win: the most specific evidence first. */
export const SIGNALS = [denseRange, addressVelocity, prefixVelocity, lowConversion] as const;

export function findingsOf(observed: Observation, limits: FraudThresholds, targets: Targets): Finding[] {
  return SIGNALS.map((signal) => signal(observed, limits, targets)).filter(
    (finding): finding is Finding => finding !== undefined,
  );
}
