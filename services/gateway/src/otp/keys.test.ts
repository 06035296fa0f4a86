import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthenticationIds } from './authentication-ids.js';
import { readNumber, writeNumber } from './key-derivation.js';
import { CodeAddresses, StateKeys } from './keys.js';

const SECRET = 'keys-unit-test-secret-0123456789abcdef';

describe('AuthenticationIds', () => {
  const ids = new AuthenticationIds(SECRET);

  it('are 36 characters shaped like a UUID, and lead back to the number and the code', () => {
    const { authenticationId, codeId } = ids.issue('+447911123499');
    expect(authenticationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ids.read(authenticationId)).toEqual({ e164: '+447911123499', codeId, caseless: false });
    expect(ids.read(authenticationId.toUpperCase())).toEqual({
      e164: '+447911123499',
      codeId,
      caseless: false,
    });
    expect(ids.read(ids.issue('+34612345678', true).authenticationId)?.caseless).toBe(true);
    expect(codeId).toMatch(/^c[0-9a-f]{14}$/);
  });

  it('name every code with fresh random bytes, past many draws of the random pool', () => {
    const ids = new AuthenticationIds(SECRET);
    const codeIds = new Set<string>();
    const authenticationIds = new Set<string>();
    for (let index = 0; index < 2_000; index += 1) {
      const issued = ids.issue('+34612345678');
      codeIds.add(issued.codeId);
      authenticationIds.add(issued.authenticationId);
      expect(ids.read(issued.authenticationId)?.codeId).toBe(issued.codeId);
    }
    expect(codeIds.size).toBe(2_000);
    expect(authenticationIds.size).toBe(2_000);
  });

  it('reveal nothing of the number: ids for one number share no visible part', () => {
    const issued = Array.from({ length: 200 }, () =>
      ids.issue('+34612345678').authenticationId.replaceAll('-', ''),
    );
    for (let position = 0; position < 32; position += 1) {
      const symbols = new Set(issued.map((id) => id[position]));
      expect(symbols.size, `position ${position}`).toBeGreaterThan(8);
    }
    expect(new Set(issued).size).toBe(200);
  });

  it('refuse ids they did not issue before any lookup, and ids of another secret', () => {
    let accepted = 0;
    for (let index = 0; index < 20_000; index += 1) {
      const hex = randomBytes(16).toString('hex');
      const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      if (ids.read(id)) accepted += 1;
    }
    // Version, check byte and number range: about one in 300,000 passes.
    expect(accepted).toBeLessThan(3);
    const other = new AuthenticationIds('another-secret-of-at-least-32-characters');
    expect(other.read(ids.issue('+34612345678').authenticationId)).toBeUndefined();
    for (const malformed of [
      '',
      'x',
      'ea0840f3-3663-4149-bd10-c7c6b891210',
      'ea0840f3366341 49bd10c7c6b8912105',
    ])
      expect(ids.read(malformed)).toBeUndefined();
  });
});

describe('StateKeys and CodeAddresses', () => {
  const keys = new StateKeys(SECRET);

  it('name a number and a tenant by keyed hashes usable as document keys and field names', () => {
    expect(keys.numberKey('+34612345678')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(keys.tenantKey('acme.corp')).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(keys.numberKey('+34612345678')).toBe(keys.numberKey('+34612345678'));
    expect(keys.numberKey('+34612345678')).not.toBe(keys.numberKey('+34612345679'));
    expect(new StateKeys('another-secret-of-at-least-32-characters').numberKey('+34612345678')).not.toBe(
      keys.numberKey('+34612345678'),
    );
  });

  it('keep every number’s document key: the same keys for the same secret, release after release', () => {
    // Stored documents are named by these keys: a change to how digits become a block would lose them.
    const keys = new StateKeys(SECRET);
    expect(
      ['+10000', '+34612345678', '+447911123499', '+123456789012345', '+999999999999999'].map((e164) =>
        keys.numberKey(e164),
      ),
    ).toEqual([
      'X1PVlDMm-sdRIL23NVxU3w',
      'C9LTNyQGsnpETFt67U9ekw',
      'zupUHgv227rpEVOxvBUxOA',
      'TOs7hGILah9YmbFKfYq84Q',
      'iJ5ccCtm4v4ECtWODzDnsA',
    ]);
  });

  it('lead an id to its document for every tenant, under that tenant’s own part', () => {
    const addresses = new CodeAddresses(SECRET);
    const ref = addresses.fresh('+34612345678', 'acme');
    expect(addresses.resolve(ref.authenticationId, 'acme')).toEqual(ref);
    const stranger = addresses.resolve(ref.authenticationId, 'globex');
    expect(stranger?.numberKey).toBe(ref.numberKey);
    expect(stranger?.tenantKey).not.toBe(ref.tenantKey);
  });
});

describe('writeNumber and readNumber', () => {
  it('put up to 15 digits big-endian in bytes 2–8 and read them back, touching no other byte', () => {
    for (const [digits, hex] of [
      [10_000, '00000000000000271000000000000000'],
      [34_612_345_678, '00000000080f0e7b4e00000000000000'],
      [999_999_999_999_999, '0000038d7ea4c67fff00000000000000'],
      [2 ** 50 - 1, '000003ffffffffffff00000000000000'],
    ] as const) {
      const block = Buffer.alloc(16);
      writeNumber(block, digits);
      expect(block.toString('hex')).toBe(hex);
      expect(readNumber(block)).toBe(digits);
    }
  });

  it('read bytes no number wrote as at least 10^15, which no id names', () => {
    const block = Buffer.alloc(16, 0xff);
    expect(readNumber(block)).toBeGreaterThanOrEqual(10 ** 15);
  });
});
