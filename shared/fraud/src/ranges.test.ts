import { describe, expect, it } from 'vitest';
import { parentRange, rangesOf, subnetOf, withinAny } from './ranges.js';

describe('rangesOf', () => {
  it('cuts a number at its country, cc+3, cc+5 and its block of a hundred', () => {
    expect(rangesOf('+34600123456', '34')).toEqual({
      country: '+34',
      cc3: '+34600',
      cc5: '+3460012',
      block: '+346001234',
    });
  });

  it('escalates a block to cc+5, cc+5 to cc+3, and stops there', () => {
    const ranges = rangesOf('+34600123456', '34');
    expect(parentRange(ranges, ranges.block)).toBe('+3460012');
    expect(parentRange(ranges, ranges.cc5)).toBe('+34600');
    expect(parentRange(ranges, ranges.cc3)).toBeUndefined();
  });

  it('matches prefixes', () => {
    expect(withinAny('+882123', ['+881', '+882'])).toBe(true);
    expect(withinAny('+34600', ['+881'])).toBe(false);
  });
});

describe('subnetOf', () => {
  it('groups IPv4 by /24 and IPv6 by /48', () => {
    expect(subnetOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(subnetOf('::ffff:203.0.113.9')).toBe('203.0.113.0/24');
    expect(subnetOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(subnetOf('2001:db8::1')).toBe('2001:db8:0::/48');
  });
});
