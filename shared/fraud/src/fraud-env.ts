import { envInt, envList } from '@otpflow/config';
import { phoneNumberSchema } from '@otpflow/contracts';
import { z } from 'zod';
import { DEFAULT_THRESHOLDS, FRAUD_MODES, type FraudSettings } from './fraud-settings.js';

const prefix = z.string().regex(/^\+[1-9][0-9]{0,14}$/, 'must be + followed by digits, e.g. +34 or +3466');
const count = (value: number) => envInt(value, { min: 0, max: 1_000_000_000 });
const t = DEFAULT_THRESHOLDS;

/** The fraud guard's settings (docs/FRAUD.md), part of the gateway's environment schema. */
export const fraudEnvShape = {
  FRAUD_MODE: z.enum(FRAUD_MODES).default('monitor'),
  FRAUD_WINDOW_SECONDS: envInt(3600, { min: 10, max: 86_400 * 7 }),
  FRAUD_BUCKETS: envInt(12, { min: 2, max: 120 }),
  FRAUD_COUNTRY_VELOCITY: count(t.countryVelocity),
  FRAUD_CC3_VELOCITY: count(t.cc3Velocity),
  FRAUD_CC5_VELOCITY: count(t.cc5Velocity),
  FRAUD_DENSE_NUMBERS: count(t.denseNumbers),
  FRAUD_IP_VELOCITY: count(t.ipVelocity),
  FRAUD_SUBNET_VELOCITY: count(t.subnetVelocity),
  FRAUD_MIN_CONVERSION_PERCENT: envInt(t.minConversion * 100, { min: 0, max: 100 }),
  FRAUD_CONVERSION_SAMPLE: envInt(t.conversionSample, { min: 1, max: 1_000_000 }),
  FRAUD_CONVERSION_GRACE_SECONDS: envInt(60, { min: 0, max: 86_400 }),
  FRAUD_UNPROVEN_SENDS: count(t.unprovenSends ?? 0),
  FRAUD_NETWORK_UNPROVEN_SENDS: count(t.networkUnprovenSends ?? 0),
  FRAUD_RISK_FACTOR_PERCENT: envInt(25, { min: 1, max: 100 }),
  FRAUD_HIGH_COST_PREFIXES: envList(prefix),
  FRAUD_ALLOW_PREFIXES: envList(prefix),
  FRAUD_ALLOW_NUMBERS: envList(phoneNumberSchema),
  FRAUD_ESTABLISHED_COUNTRY_VERIFIED: envInt(5, { min: 0, max: 1_000_000 }),
  FRAUD_NEW_COUNTRY_GRACE: envInt(20, { min: 0, max: 1_000_000 }),
  FRAUD_BLOCK_SECONDS: envInt(900, { min: 1, max: 86_400 * 7 }),
  FRAUD_MAX_BLOCK_SECONDS: envInt(86_400, { min: 1, max: 86_400 * 30 }),
  FRAUD_STRIKE_MEMORY_SECONDS: envInt(86_400, { min: 0, max: 86_400 * 30 }),
  FRAUD_ESCALATE_AFTER: envInt(3, { min: 1, max: 100 }),
  FRAUD_SYNC_INTERVAL_MS: envInt(1000, { min: 100, max: 60_000 }),
  FRAUD_SYNC_AFTER_SENDS: envInt(15, { min: 1, max: 1_000_000 }),
  FRAUD_SYNC_MAX_INTERVAL_MS: envInt(10_000, { min: 100, max: 600_000 }),
};

type FraudEnv = { [K in keyof typeof fraudEnvShape]: z.output<(typeof fraudEnvShape)[K]> };

export function fraudSettingsOf(env: FraudEnv): FraudSettings {
  return {
    mode: env.FRAUD_MODE,
    windowSeconds: env.FRAUD_WINDOW_SECONDS,
    buckets: env.FRAUD_BUCKETS,
    thresholds: {
      countryVelocity: env.FRAUD_COUNTRY_VELOCITY,
      cc3Velocity: env.FRAUD_CC3_VELOCITY,
      cc5Velocity: env.FRAUD_CC5_VELOCITY,
      denseNumbers: env.FRAUD_DENSE_NUMBERS,
      ipVelocity: env.FRAUD_IP_VELOCITY,
      subnetVelocity: env.FRAUD_SUBNET_VELOCITY,
      minConversion: env.FRAUD_MIN_CONVERSION_PERCENT / 100,
      conversionSample: env.FRAUD_CONVERSION_SAMPLE,
      unprovenSends: env.FRAUD_UNPROVEN_SENDS,
      networkUnprovenSends: env.FRAUD_NETWORK_UNPROVEN_SENDS,
    },
    riskFactor: env.FRAUD_RISK_FACTOR_PERCENT / 100,
    highCostPrefixes: env.FRAUD_HIGH_COST_PREFIXES,
    allowPrefixes: env.FRAUD_ALLOW_PREFIXES,
    allowNumbers: env.FRAUD_ALLOW_NUMBERS,
    establishedCountryVerified: env.FRAUD_ESTABLISHED_COUNTRY_VERIFIED,
    newCountryGrace: env.FRAUD_NEW_COUNTRY_GRACE,
    conversionGraceSeconds: env.FRAUD_CONVERSION_GRACE_SECONDS,
    blockSeconds: env.FRAUD_BLOCK_SECONDS,
    maxBlockSeconds: env.FRAUD_MAX_BLOCK_SECONDS,
    strikeMemorySeconds: env.FRAUD_STRIKE_MEMORY_SECONDS,
    escalateAfter: env.FRAUD_ESCALATE_AFTER,
    syncIntervalMs: env.FRAUD_SYNC_INTERVAL_MS,
    syncCadence: { afterSends: env.FRAUD_SYNC_AFTER_SENDS, maxIntervalMs: env.FRAUD_SYNC_MAX_INTERVAL_MS },
  };
}
