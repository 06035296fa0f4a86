import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, thresholdsFor } from './fraud-settings.js';
import {
  conversionUpperBound,
  convertsBelow,
  findingsOf,
  networkConversion,
  unprovenConversion,
  unprovenNetwork,
  type Observation,
  type Targets,
} from './signals.js';

const targets: Targets = { country: '+34', cc3: '+34600', cc5: '+3460012', block: '+346001234' };
const quiet = (sent = 1, verified = 0, matureSent = 0, matureVerified = Math.min(verified, matureSent)) => ({
  sent,
  verified,
  matureSent,
  matureVerified,
});
const calm: Observation = { country: quiet(), cc3: quiet(), cc5: quiet(), denseNumbers: 1 };
const limits = DEFAULT_THRESHOLDS;
const plain = { highCost: false, newCountry: false, inGrace: false };
const highCost = { ...plain, highCost: true };

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
    expect(convertsBelow(quiet(100, 0, 24), 0.2, 25)).toBe(false);
    expect(convertsBelow(quiet(100, 0, 25), 0.2, 25)).toBe(true);
    // Verifications of the young sends do not make up for unentered mature ones, nor the reverse.
    expect(convertsBelow(quiet(100, 60, 30, 0), 0.2, 25)).toBe(true);
    expect(convertsBelow(quiet(100, 24, 30, 24), 0.2, 25)).toBe(false);
    expect(findingsOf({ ...calm, cc3: quiet(40, 0, 30) }, limits, targets)[0]).toEqual({
      kind: 'block',
      reason: 'low_conversion',
      target: '+34600',
    });
    expect(findingsOf({ ...calm, country: quiet(40, 30, 30) }, limits, targets)).toEqual([]);
  });

  it('judge conversion by its confidence bound: a few unentered codes prove nothing', () => {
    expect(conversionUpperBound(0, 5)).toBeCloseTo(0.434, 3);
    expect(conversionUpperBound(0, 15)).toBeGreaterThan(0.2);
    expect(conversionUpperBound(0, 16)).toBeLessThan(0.2);
    expect(conversionUpperBound(0, 0)).toBe(1);
    // 4 of 30 entered (13 %) may still be a range converting at 20 %; 12 of 150 (8 %) may not.
    expect(findingsOf({ ...calm, cc3: quiet(40, 4, 30) }, limits, targets)).toEqual([]);
    expect(findingsOf({ ...calm, cc3: quiet(160, 12, 150) }, limits, targets)[0]?.target).toBe('+34600');
  });

  it('only throttle a whole country for its conversion when told so (a country merely new)', () => {
    const unconverted = { ...calm, country: quiet(60, 0, 40) };
    expect(findingsOf(unconverted, limits, targets)[0]).toMatchObject({ kind: 'block', target: '+34' });
    expect(findingsOf(unconverted, { ...limits, countryRefusal: 'throttle' }, targets)[0]).toEqual({
      kind: 'throttle',
      reason: 'low_conversion',
      target: '+34',
    });
    expect(findingsOf(unconverted, { ...limits, judgeCountry: false }, targets)).toEqual([]);
  });

  it('throttle a destination with too many unverified codes while its conversion is unknown', () => {
    const budget = { ...limits, unprovenSends: 10 };
    expect(unprovenConversion({ ...calm, country: quiet(11, 0, 0) }, budget, targets)).toEqual({
      kind: 'throttle',
      reason: 'unproven_conversion',
      target: '+34',
    });
    expect(unprovenConversion({ ...calm, cc3: quiet(11, 0, 3) }, budget, targets)?.target).toBe('+34600');
    // Within the budget, codes entered, or conversion known: the budget does not apply.
    expect(unprovenConversion({ ...calm, country: quiet(10, 0, 0) }, budget, targets)).toBeUndefined();
    expect(unprovenConversion({ ...calm, country: quiet(30, 25, 10) }, budget, targets)).toBeUndefined();
    expect(unprovenConversion({ ...calm, country: quiet(60, 40, 40) }, budget, targets)).toBeUndefined();
    expect(
      unprovenConversion({ ...calm, country: quiet(60, 0, 0) }, { ...limits, unprovenSends: 0 }, targets),
    ).toBeUndefined();
  });

  it('reach their thresholds sooner for a risky destination, later for a tenant scaled up', () => {
    const risky = thresholdsFor(limits, undefined, highCost, 0.25);
    expect(risky.denseNumbers).toBe(2);
    expect(risky.cc5Velocity).toBe(10);
    const tolerant = thresholdsFor(limits, { thresholdScale: 4, minConversion: 0.05 }, plain, 0.25);
    expect(tolerant.cc5Velocity).toBe(160);
    expect(tolerant.minConversion).toBe(0.05);
    expect(thresholdsFor({ ...limits, countryVelocity: 0 }, undefined, highCost, 0.25).countryVelocity).toBe(
      0,
    );
  });

  it('never lower the evidence conversion needs for risk, only for a tenant scaled up', () => {
    expect(thresholdsFor(limits, undefined, highCost, 0.25).conversionSample).toBe(25);
    expect(thresholdsFor(limits, { thresholdScale: 4 }, highCost, 0.25).conversionSample).toBe(100);
  });

  it('block a high-cost country, only throttle one merely new, and leave a new one alone in its grace', () => {
    expect(thresholdsFor(limits, undefined, plain, 0.25)).toMatchObject({
      judgeCountry: false,
      unprovenSends: 0,
    });
    expect(thresholdsFor(limits, undefined, highCost, 0.25)).toMatchObject({
      judgeCountry: true,
      countryRefusal: 'block',
      unprovenSends: 10,
    });
    expect(thresholdsFor(limits, undefined, { ...plain, newCountry: true }, 0.25)).toMatchObject({
      cc5Velocity: 10,
      judgeCountry: true,
      countryRefusal: 'throttle',
      unprovenSends: 10,
    });
    expect(
      thresholdsFor(limits, undefined, { ...plain, newCountry: true, inGrace: true }, 0.25),
    ).toMatchObject({
      cc5Velocity: 40,
      judgeCountry: false,
      unprovenSends: 0,
    });
    // A high-cost destination has no grace.
    expect(
      thresholdsFor(limits, undefined, { ...highCost, newCountry: true, inGrace: true }, 0.25),
    ).toMatchObject({
      cc5Velocity: 10,
      judgeCountry: true,
    });
  });

  describe('of an address network', () => {
    const withNetwork: Targets = { ...targets, ip: '203.0.113.7', subnet: '203.0.113.0/24' };
    const from = (subnet: ReturnType<typeof quiet>): Observation => ({ ...calm, ip: quiet(), subnet });

    it('block a network whose mature codes are, with confidence, not entered', () => {
      expect(networkConversion(from(quiet(40, 0, 25, 0)), limits, withNetwork)).toEqual({
        kind: 'block',
        reason: 'low_conversion',
        target: '203.0.113.0/24',
      });
      // Under the sample, or converting (its verifications credited to it), or without an address: nothing.
      expect(networkConversion(from(quiet(40, 0, 24, 0)), limits, withNetwork)).toBeUndefined();
      expect(networkConversion(from(quiet(400, 300, 300, 240)), limits, withNetwork)).toBeUndefined();
      expect(networkConversion(calm, limits, targets)).toBeUndefined();
    });

    it('throttle an unproven network past its budget of unverified codes', () => {
      expect(unprovenNetwork(from(quiet(21, 0, 0)), limits, withNetwork)).toEqual({
        kind: 'throttle',
        reason: 'unproven_conversion',
        target: '203.0.113.0/24',
      });
      expect(unprovenNetwork(from(quiet(20, 0, 0)), limits, withNetwork)).toBeUndefined();
      // The budget holds whatever the destination: a network's risk is its own.
      expect(findingsOf(from(quiet(21, 0, 0)), limits, withNetwork)).toContainEqual(
        expect.objectContaining({ reason: 'unproven_conversion', target: '203.0.113.0/24' }),
      );
    });

    it('never throttle a network whose verified codes earn its sends at the floor, at any volume', () => {
      // A CGNAT of many users entering most of their codes: 300 codes, 70 verified, none mature yet.
      expect(unprovenNetwork(from(quiet(300, 70, 0)), limits, withNetwork)).toBeUndefined();
      // Each verified code makes room for 1 ÷ floor (5) sends beyond the budget: 20 + 5 × 4 = 40.
      expect(unprovenNetwork(from(quiet(40, 4, 0)), limits, withNetwork)).toBeUndefined();
      expect(unprovenNetwork(from(quiet(41, 4, 0)), limits, withNetwork)?.kind).toBe('throttle');
    });

    it('leave a network to its conversion once its sends matured, and stay off without a floor or budget', () => {
      expect(unprovenNetwork(from(quiet(60, 0, 25)), limits, withNetwork)).toBeUndefined();
      expect(
        unprovenNetwork(from(quiet(60, 0, 0)), { ...limits, networkUnprovenSends: 0 }, withNetwork),
      ).toBeUndefined();
      expect(
        unprovenNetwork(from(quiet(60, 0, 0)), { ...limits, minConversion: 0 }, withNetwork),
      ).toBeUndefined();
    });

    it("scale a network's budget for a tenant scaled up, never for the destination's risk", () => {
      expect(thresholdsFor(limits, undefined, highCost, 0.25).networkUnprovenSends).toBe(20);
      expect(thresholdsFor(limits, { thresholdScale: 2 }, plain, 0.25).networkUnprovenSends).toBe(40);
    });
  });
});
