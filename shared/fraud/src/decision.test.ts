import { describe, expect, it } from 'vitest';
import { blockSeconds, decide, type DecisionInput } from './decision.js';

const base: DecisionInput = {
  exempt: false,
  blocks: [],
  findings: [],
  now: 1_000_000,
  bucketEndsAt: 1_030_000,
  blockSecondsFor: () => 900,
};

describe('decide', () => {
  it('allows what no signal and no block speaks against', () => {
    expect(decide(base)).toEqual({ action: 'allow' });
  });

  it('refuses under an active block until it ends, with its reason', () => {
    const blocks = [
      { target: '+34600', reason: 'low_conversion' as const, expiresAt: 1_060_000, strikes: 1 },
      { target: '+3460012', reason: 'dense_range' as const, expiresAt: 1_010_000, strikes: 1 },
    ];
    expect(decide({ ...base, blocks })).toEqual({
      action: 'block',
      reason: 'low_conversion',
      target: '+34600',
      retryAfterSeconds: 60,
      newBlock: false,
    });
    expect(
      decide({
        ...base,
        blocks: [{ target: '+34600', reason: 'low_conversion', expiresAt: 999_000, strikes: 1 }],
      }),
    ).toEqual({ action: 'allow' });
  });

  it('turns the first finding into a new block, or a throttle to the end of the bucket', () => {
    expect(
      decide({
        ...base,
        findings: [
          { kind: 'block', reason: 'dense_range', target: '+346001234' },
          { kind: 'block', reason: 'prefix_velocity', target: '+3460012' },
        ],
      }),
    ).toEqual({
      action: 'block',
      reason: 'dense_range',
      target: '+346001234',
      retryAfterSeconds: 900,
      newBlock: true,
    });
    expect(
      decide({ ...base, findings: [{ kind: 'throttle', reason: 'country_velocity', target: '+34' }] }),
    ).toMatchObject({ action: 'throttle', retryAfterSeconds: 30, newBlock: false });
  });

  it('never refuses an exempt send, block or not', () => {
    expect(
      decide({
        ...base,
        exempt: true,
        blocks: [{ target: '+34', reason: 'low_conversion', expiresAt: 2_000_000, strikes: 1 }],
        findings: [{ kind: 'block', reason: 'dense_range', target: '+346001234' }],
      }),
    ).toEqual({ action: 'allow' });
  });
});

describe('blockSeconds', () => {
  it('grows fourfold per remembered strike, up to the cap', () => {
    expect(blockSeconds(0, 900, 86_400)).toBe(900);
    expect(blockSeconds(1, 900, 86_400)).toBe(3600);
    expect(blockSeconds(2, 900, 86_400)).toBe(14_400);
    expect(blockSeconds(5, 900, 86_400)).toBe(86_400);
  });
});
