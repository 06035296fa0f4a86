import type { FraudThresholds } from './fraud-settings.js';
import type { Count, Tally } from './sliding-counts.js';

/** Why a send is refused: closed, so events, metrics and the docs name the same set. */
export const FRAUD_REASONS = [
  'country_velocity',
  'prefix_velocity',
  'dense_range',
  'address_velocity',
  'low_conversion',
  'unproven_conversion',
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

/** What an unproven destination's budget is spent by: its codes sent and not (yet) verified. */
export const unverifiedCodes = (tally: Tally): number => tally.sent - tally.verified;

/** What a network's budget is spent by: its sends less those its verified codes earn at the floor. */
export const unearnedSends = (tally: Tally, floor: number): number => tally.sent - tally.verified / floor;

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
 * z of the conversion's confidence bound: 1.96, so a range is judged to convert under the floor only
 * when its evidence leaves at most a 2.5 % chance that it converts at the floor or better.
 */
export const CONVERSION_Z = 1.96;

/**
 * The Wilson score upper bound of verified ÷ sent: the highest conversion the evidence leaves
 * plausible. On few sends it stays high (0 of 5 verified: 43 %), so a handful of unentered codes in a
 * quiet range proves nothing; it falls under a floor of 20 % at the 16th send that nobody entered.
 */
export function conversionUpperBound(verified: number, sent: number, z = CONVERSION_Z): number {
  if (sent <= 0) return 1;
  const rate = Math.min(1, verified / sent);
  const z2 = z * z;
  const centre = rate + z2 / (2 * sent);
  const margin = z * Math.sqrt((rate * (1 - rate)) / sent + z2 / (4 * sent * sent));
  return Math.min(1, (centre + margin) / (1 + z2 / sent));
}

/**
 * Whether a range's codes are, with confidence, entered less often than the floor: judged on the
 * sends that had time to be verified (matureSent) and the verifications of those very sends, once
 * there are at least `sample` of them, by the upper bound of their conversion rather than the ratio.
 */
export function convertsBelow(count: Count, floor: number, sample: number): boolean {
  if (count.matureSent < sample) return false;
  return conversionUpperBound(count.matureVerified, count.matureSent) < floor;
}

/**
 * Codes that are sent and never entered: what pumping looks like from the inside, however it spreads
 * its sends. Judged at the narrowest range with enough evidence (cc+5, cc+3, the country).
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
    if (!convertsBelow(tally, limits.minConversion, limits.conversionSample)) continue;
    // A whole country merely new to the tenant is only slowed down: newness alone never blocks.
    const kind = target === targets.country ? (limits.countryRefusal ?? 'block') : 'block';
    return { kind, reason: 'low_conversion', target };
  }
  return undefined;
}

/**
 * A risky destination (of the high cost tier, or new to the tenant past its grace) earns its traffic
 * by converting: while its country (or its cc+3 range) has too few mature sends for its conversion to
 * be judged, at most `unprovenSends` of its codes may wait unverified; past that its sends are
 * throttled (until the bucket ends) while the evidence comes in. A legitimate newcomer is slowed for
 * a while (five verified codes make a country established); a drip across many ranges, which enters
 * none of its codes, gets no further than the budget, window after window.
 */
export function unprovenConversion(
  observed: Observation,
  limits: FraudThresholds,
  targets: Targets,
): Finding | undefined {
  const budget = limits.unprovenSends ?? 0;
  if (budget <= 0) return undefined;
  const ranges = [
    [observed.country, targets.country],
    [observed.cc3, targets.cc3],
  ] as const;
  for (const [tally, target] of ranges) {
    if (tally.matureSent < limits.conversionSample && unverifiedCodes(tally) > budget)
      return { kind: 'throttle', reason: 'unproven_conversion', target };
  }
  return undefined;
}

/**
 * Codes asked from one address network (a /24 or /48, every tenant's) and never entered: what an
 * attacker rotating through one provider's addresses cannot spread out, however few sends each
 * address makes. Judged like a range's conversion (mature sends, their upper bound, the sample), with
 * verifications credited to the network the code was asked from; the network is blocked.
 */
export function networkConversion(
  observed: Observation,
  limits: FraudThresholds,
  targets: Targets,
): Finding | undefined {
  if (!observed.subnet || !targets.subnet) return undefined;
  return convertsBelow(observed.subnet, limits.minConversion, limits.conversionSample)
    ? { kind: 'block', reason: 'low_conversion', target: targets.subnet }
    : undefined;
}

/**
 * While a network's conversion is unknown (fewer mature sends than the sample), it may keep
 * `networkUnprovenSends` codes unverified beyond what its verified codes earn at the floor: each
 * verified code makes room for 1 ÷ floor sends, so a network converting at the floor or better never
 * runs out (a CGNAT or an office whose users enter their codes keeps its way, at any volume), while a
 * rotation through one network that enters none of its codes gets no further than the budget; past it
 * the network is throttled until the bucket ends, and once its sends mature, its conversion judges it.
 */
export function unprovenNetwork(
  observed: Observation,
  limits: FraudThresholds,
  targets: Targets,
): Finding | undefined {
  const budget = limits.networkUnprovenSends ?? 0;
  const tally = observed.subnet;
  if (budget <= 0 || limits.minConversion <= 0 || !tally || !targets.subnet) return undefined;
  if (tally.matureSent >= limits.conversionSample) return undefined;
  return unearnedSends(tally, limits.minConversion) > budget
    ? { kind: 'throttle', reason: 'unproven_conversion', target: targets.subnet }
    : undefined;
}

/** Every signal, in the order their findings win: the most specific evidence first. */
export const SIGNALS = [
  denseRange,
  addressVelocity,
  prefixVelocity,
  lowConversion,
  networkConversion,
  unprovenConversion,
  unprovenNetwork,
] as const;

export function findingsOf(observed: Observation, limits: FraudThresholds, targets: Targets): Finding[] {
  return SIGNALS.map((signal) => signal(observed, limits, targets)).filter(
    (finding): finding is Finding => finding !== undefined,
  );
}
