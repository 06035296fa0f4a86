import type { SyncCadence } from './sync-cadence.js';

/** monitor: decide, count and log, but let every send through; enforce: refuse what is decided. */
export const FRAUD_MODES = ['off', 'monitor', 'enforce'] as const;
export type FraudMode = (typeof FRAUD_MODES)[number];

/** Limits one tenant's sends may reach within the window before the guard acts (0: signal off). */
export interface FraudThresholds {
  /** Sends to one country, per tenant: above it, sends are throttled for the rest of the bucket. */
  countryVelocity: number;
  /** Sends to one cc+3 prefix, per tenant: the prefix is blocked. */
  cc3Velocity: number;
  /** Sends to one cc+5 prefix, per tenant: the prefix is blocked. */
  cc5Velocity: number;
  /** Distinct numbers in one block of a hundred, per tenant: the block is blocked. */
  denseNumbers: number;
  /** Sends for one end-user address (any tenant): the address is blocked. */
  ipVelocity: number;
  /** Sends for one /24 or /48: the network is blocked. */
  subnetVelocity: number;
  /** Conversion (verified ÷ sent) under which a range with enough sends is blocked. */
  minConversion: number;
  /** Sends a range needs before its conversion is judged. */
  conversionSample: number;
  /**
   * Whether a whole country's conversion is judged, and what a low one does to it: only for a risky
   * destination. Of the high cost tier, the country is blocked; merely new to the tenant, it is only
   * throttled (newness alone never blocks). An established country is judged by its ranges, so an
   * attack hiding in a country the tenant serves blocks its own ranges, not the tenant's customers.
   */
  judgeCountry?: boolean;
  /** What a low conversion of the whole country does (block when unset). */
  countryRefusal?: 'block' | 'throttle';
  /**
   * Codes of a risky destination that may wait unverified while its conversion is unknown (its
   * country or cc+3 has fewer mature sends than the sample): past them, it is throttled. 0 (or
   * unset): no such budget, as for a destination that is not risky.
   */
  unprovenSends?: number;
  /**
   * Codes an address network (a /24 or /48) may keep unverified, beyond what its verified codes earn
   * at the conversion floor, while its conversion is unknown: past them, it is throttled. 0 (or
   * unset): off. Any destination: a network's risk is its own.
   */
  networkUnprovenSends?: number;
}

/**
 * What makes a destination risky for a tenant. High cost: a range of FRAUD_HIGH_COST_PREFIXES or a
 * line that is not a plain mobile. New: a country with few verified codes of the tenant in the window;
 * its first sends (the grace) are judged as an established country's, since nothing is known yet.
 */
export interface DestinationRisk {
  highCost: boolean;
  newCountry: boolean;
  /** A new country still within its first FRAUD_NEW_COUNTRY_GRACE sends of the window. */
  inGrace: boolean;
}

export interface FraudSettings {
  mode: FraudMode;
  /** The sliding window every count is kept over, and its number of buckets. */
  windowSeconds: number;
  buckets: number;
  thresholds: FraudThresholds;
  /**
   * Thresholds are multiplied by this for a destination of the high cost tier (a high-cost range, or a
   * line that is not a plain mobile) and for a country new to the tenant: they are reached sooner.
   */
  riskFactor: number;
  /** Prefixes of the high cost tier (FRAUD_HIGH_COST_PREFIXES). */
  highCostPrefixes: readonly string[];
  /** Prefixes and numbers the guard never refuses. */
  allowPrefixes: readonly string[];
  allowNumbers: readonly string[];
  /** A country is new to a tenant until this many of its codes were verified within the window. */
  establishedCountryVerified: number;
  /**
   * A new country's first sends of the window that are judged like an established country's (not of
   * the high cost tier): its conversion is unknown, and legitimate users come first to any country.
   * Unset: none.
   */
  newCountryGrace?: number;
  /** How long after its bucket ends a send counts as too young to be judged unconverted (unset: 0). */
  conversionGraceSeconds?: number;
  /** A first block lasts this long; each repeat within `strikeMemorySeconds` multiplies it by 4. */
  blockSeconds: number;
  maxBlockSeconds: number;
  strikeMemorySeconds: number;
  /** Blocks under one range that escalate to the range above it. */
  escalateAfter: number;
  /** How often a replica asks whether a sync is due (its tick). */
  syncIntervalMs: number;
  /** When a tick syncs: enough sends to share its commands, or the longest interval passed. */
  syncCadence: SyncCadence;
}

export const DEFAULT_THRESHOLDS: FraudThresholds = {
  countryVelocity: 20_000,
  cc3Velocity: 400,
  cc5Velocity: 40,
  denseNumbers: 6,
  ipVelocity: 12,
  subnetVelocity: 60,
  minConversion: 0.2,
  conversionSample: 25,
  unprovenSends: 10,
  networkUnprovenSends: 20,
};

/** A tenant's own thresholds (its client policy): the deployment's, scaled, with its own conversion floor. */
export interface TenantFraudPolicy {
  /** Multiplies every count threshold: above 1 for a tenant whose traffic is legitimately dense. */
  thresholdScale?: number | undefined;
  minConversion?: number | undefined;
}

/**
 * The thresholds for one send: the tenant's, tightened for a risky destination (of the high cost
 * tier, or a country new to the tenant past its grace). The conversion sample is the tenant's, never
 * lowered for risk: a conversion is judged on evidence, whatever the destination.
 */
export function thresholdsFor(
  base: FraudThresholds,
  tenant: TenantFraudPolicy | undefined,
  risk: DestinationRisk,
  riskFactor: number,
): FraudThresholds {
  const risky = risk.highCost || (risk.newCountry && !risk.inGrace);
  const tenantScale = tenant?.thresholdScale ?? 1;
  const scale = tenantScale * (risky ? riskFactor : 1);
  // A count threshold of 0 stays off; any other stays at least 2, so one send never trips a signal.
  const scaled = (value: number, by = scale) => (value === 0 ? 0 : Math.max(2, Math.round(value * by)));
  return {
    countryVelocity: scaled(base.countryVelocity),
    cc3Velocity: scaled(base.cc3Velocity),
    cc5Velocity: scaled(base.cc5Velocity),
    denseNumbers: scaled(base.denseNumbers),
    ipVelocity: scaled(base.ipVelocity),
    subnetVelocity: scaled(base.subnetVelocity),
    minConversion: tenant?.minConversion ?? base.minConversion,
    conversionSample: scaled(base.conversionSample, tenantScale),
    judgeCountry: risky,
    countryRefusal: risk.highCost ? 'block' : 'throttle',
    unprovenSends: risky ? scaled(base.unprovenSends ?? 0, tenantScale) : 0,
    networkUnprovenSends: scaled(base.networkUnprovenSends ?? 0, tenantScale),
  };
}
