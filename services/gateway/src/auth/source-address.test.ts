import { describe, expect, it } from 'vitest';
import { sourceOf } from './source-address.js';

describe('sourceOf', () => {
  it('counts IPv4 addresses one by one, IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(sourceOf('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('::FFFF:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    const net = '2001:db8:1:2::/64';
    for (const address of [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:0:0:0:0',
      '2001:db8:1:2::192.0.2.1',
      '2001:db8:1:2::1%eth0',
    ]) {
      expect(sourceOf(address), address).toBe(net);
    }
    expect(sourceOf('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
  });

  it('puts what is not an address in one bucket', () => {
    expect(sourceOf(undefined)).toBe('unknown');
    expect(sourceOf('not an address')).toBe('unknown');
  });
});
