import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, thresholdsFor } from './fraud-settings.js';
import { conversionOf, findingsOf, type Observation, type Targets } from './signals.js';

const targets: Targets = { country: '+34', cc3: '+34600', cc5: '+3460012', block: '+346001234' };
const quiet = (sent = 1, verified = 0, matureSent = 0) => ({ sent, verified, matureSent });
const calm: Observation = { country: quiet(), cc3: quiet(), cc5: quiet(), denseNumbers: 1 };
const limits = DEFAULT_THRESHOLDS;

describe('signals', () => {
  it('find nothing in ordinary traffic', () => {
    expect(findingsOf({ ...calm, country: quiet(500, 400, 450) }, limits, targets)).toEqual([]);
  });

  it('block the narrowest range over its velocity, and only throttle a country', () => {
    expect(findingsOf({ ...calm, cc5: quiet(41, 40, 0) }, limits, targets)[0]).toEqual({
      kind: 'block',
      reason: 'prefix_velocity',
      target: '+3460012',
    });
    expect(findingsOf({ ...calm, cc3: quiet(401, 400, 0) }, limits, targets)[0]?.target).toBe('+34600');
    expect(findingsOf({ ...calm, country: quiet(20_001, 20_000, 0) }, limits, targets)[0]).toEqual({
      kind: 'throttle',
      reason: 'country_velocity',
      target: '+34',
    });
  });

  it('block a block of a hundred swept number after number', () => {
    expect(findingsOf({ ...calm, denseNumbers: 6 }, limits, targets)).toEqual([]);
    expect(findingsOf({ ...calm, denseNumbers: 7 }, limits, targets)[0]).toEqual({
      kind: 'block',
      reason: 'dense_range',
      target: '+346001234',
    });
  });

  it('block an end-user address, then its network', () => {
    const withAddress = { ...targets, ip: '203.0.113.7', subnet: '203.0.113.0/24' };
    expect(findingsOf({ ...calm, ip: quiet(13), subnet: quiet(13) }, limits, withAddress)[0]?.target).toBe(
      '203.0.113.7',
    );
    expect(findingsOf({ ...calm, ip: quiet(2), subnet: quiet(61) }, limits, withAddress)[0]?.target).toBe(
      '203.0.113.0/24',
    );
    expect(findingsOf({ ...calm, ip: quiet(2), subnet: quiet(20) }, limits, withAddress)).toEqual([]);
  });

  it('judge conversion only on sends that had time to be verified, once there are enough', () => {
    expect(conversionOf(quiet(100, 0, 24), 25)).toBeUndefined();
    expect(conversionOf(quiet(100, 5, 25), 25)).toBe(0.2);
    expect(findingsOf({ ...calm, cc3: quiet(40, 4, 30) }, limits, targets)[0]).toEqual({
      kind: 'block',
      reason: 'low_conversion',
      target: '+34600',
    });
    expect(findingsOf({ ...calm, country: quiet(40, 30, 30) }, limits, targets)).toEqual([]);
  });

  it('reach their thresholds sooner for a risky destination, later for a tenant scaled up', () => {
    const risky = thresholdsFor(limits, undefined, true, 0.25);
    expect(risky.denseNumbers).toBe(2);
    expect(risky.cc5Velocity).toBe(10);
    const tolerant = thresholdsFor(limits, { thresholdScale: 4, minConversion: 0.05 }, false, 0.25);
    expect(tolerant.cc5Velocity).toBe(160);
    expect(tolerant.minConversion).toBe(0.05);
    expect(thresholdsFor({ ...limits, countryVelocity: 0 }, undefined, true, 0.25).countryVelocity).toBe(0);
  });
});
