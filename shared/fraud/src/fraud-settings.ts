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
   * Whether a whole country's conversion may block it: only for a risky destination (new to the
   * tenant, or of the high cost tier). An established country is judged by its ranges, so an attack
   * hiding in a country the tenant serves blocks its own ranges, not the tenant's customers there.
   */
  judgeCountry?: boolean;
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
  /** A first block lasts this long; each repeat within `strikeMemorySeconds` multiplies it by 4. */
  blockSeconds: number;
  maxBlockSeconds: number;
  strikeMemorySeconds: number;
  /** Blocks under one range that escalate to the range above it. */
  escalateAfter: number;
  /** How often counts are flushed and the shared counts and blocks read (each replica). */
  syncIntervalMs: number;
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
};

/** A tenant's own thresholds (its client policy): the deployment's, scaled, with its own conversion floor. */
export interface TenantFraudPolicy {
  /** Multiplies every count threshold: above 1 for a tenant whose traffic is legitimately dense. */
  thresholdScale?: number | undefined;
  minConversion?: number | undefined;
}

/** The thresholds for one send: the tenant's, tightened for a risky destination. */
export function thresholdsFor(
  base: FraudThresholds,
  tenant: TenantFraudPolicy | undefined,
  risky: boolean,
  riskFactor: number,
): FraudThresholds {
  const scale = (tenant?.thresholdScale ?? 1) * (risky ? riskFactor : 1);
  // A count threshold of 0 stays off; any other stays at least 2, so one send never trips a signal.
  const scaled = (value: number) => (value === 0 ? 0 : Math.max(2, Math.round(value * scale)));
  return {
    countryVelocity: scaled(base.countryVelocity),
    cc3Velocity: scaled(base.cc3Velocity),
    cc5Velocity: scaled(base.cc5Velocity),
    denseNumbers: scaled(base.denseNumbers),
    ipVelocity: scaled(base.ipVelocity),
    subnetVelocity: scaled(base.subnetVelocity),
    minConversion: tenant?.minConversion ?? base.minConversion,
    conversionSample: scaled(base.conversionSample),
    judgeCountry: risky,
  };
}
