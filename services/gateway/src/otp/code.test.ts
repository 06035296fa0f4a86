import { describe, expect, it } from 'vitest';
import { alphabetOf, CodeHasher, generateCode, normalizeCode } from './code.js';

describe('generateCode', () => {
  it('draws codes of the requested length from the alphabet, with every digit in use', () => {
    const seen = new Set<string>();
    for (let index = 0; index < 2000; index += 1) {
      const code = generateCode(6);
      expect(code).toMatch(/^\d{6}$/);
      for (const digit of code) seen.add(digit);
    }
    expect(seen.size).toBe(10);
    expect(generateCode(8, 'AB')).toMatch(/^[AB]{8}$/);
  });
});

describe('alphabetOf', () => {
  it('leaves out look-alike characters once letters are allowed', () => {
    const mixed = alphabetOf({ digits: true, upper: true, lower: true, special: false });
    for (const ambiguous of ['0', 'O', '1', 'l', 'I']) expect(mixed).not.toContain(ambiguous);
    expect(alphabetOf({ digits: true, upper: false, lower: false, special: false })).toBe('0123456789');
    expect(alphabetOf({ digits: false, upper: false, lower: false, special: true })).toBe('!#$%&*+-=?@');
  });

  it('compares upper-case-only codes without regard to case', () => {
    expect(normalizeCode('ajy3', { digits: true, upper: true, lower: false, special: false })).toBe('AJY3');
    expect(normalizeCode('ajY3', { digits: true, upper: true, lower: true, special: false })).toBe('ajY3');
  });
});

describe('CodeHasher', () => {
  const hasher = new CodeHasher('a-secret-of-at-least-32-characters!!');

  it('matches only the right code for the right session', () => {
    const hash = hasher.hash('session-1', '123456');
    expect(hash).not.toContain('123456');
    expect(hasher.matches('session-1', '123456', hash)).toBe(true);
    expect(hasher.matches('session-1', '123457', hash)).toBe(false);
    expect(hasher.matches('session-2', '123456', hash)).toBe(false);
  });

  it('depends on the secret', () => {
    const other = new CodeHasher('another-secret-of-at-least-32-chars!');
    expect(other.hash('s', '1234')).not.toBe(hasher.hash('s', '1234'));
  });

  it('refuses a malformed stored hash instead of throwing', () => {
    expect(hasher.matches('s', '1234', 'abcd')).toBe(false);
  });
});
