import { describe, expect, it } from 'vitest';
import { addressRange, embeddedIpv4 } from './address-range.js';

describe('addressRange', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['169.254.169.254', 'link_local'],
    ['198.18.0.1', 'reserved'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
  ])('IPv4 %s is %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '203.0.113.7',
  ])('IPv4 %s is public', (address) => {
    expect(addressRange(address)).toBe('public');
  });

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fd00::5', 'unique_local'],
    ['fc00::1', 'unique_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:0:4136:e378::1', 'reserved'],
    ['::7f00:1', 'reserved'],
  ])('IPv6 %s is %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
  });

  it.each(['2001:4860:4860::8888', '2606:4700:4700::1111', '2001:db8::1'])('IPv6 %s is public', (address) => {
    expect(addressRange(address)).toBe('public');
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a00:1', 'private'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['::ffff:100.64.0.1', 'cgnat'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['::ffff:8.8.8.8', 'public'],
  ])('IPv4-carrying IPv6 %s is judged as its IPv4 address: %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
  });

  it('refuses what is not an IP address at all', () => {
    expect(addressRange('hooks.example')).toBe('reserved');
    expect(addressRange('')).toBe('reserved');
  });
});

describe('embeddedIpv4', () => {
  it('reads the IPv4 address of mapped, NAT64 and 6to4 forms, and nothing from others', () => {
    expect(embeddedIpv4('::ffff:c0a8:10a')).toBe('192.168.1.10');
    expect(embeddedIpv4('64:ff9b::a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIpv4('2002:a00:1::')).toBe('10.0.0.1');
    expect(embeddedIpv4('2001:db8::1')).toBeUndefined();
  });
});
