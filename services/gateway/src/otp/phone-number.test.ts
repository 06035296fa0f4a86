import fc from 'fast-check';
import parsePhoneNumber, { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { canonicalPhoneNumber } from './phone-number.js';

/** Every country's example mobile, and numbers near it (valid, invalid, of other line types). */
const numbers = fc
  .tuple(
    fc.constantFrom(...(Object.keys(examples) as CountryCode[])),
    fc.nat({ max: 9 }),
    fc.nat({ max: 14 }),
  )
  .map(([country, digit, position]) => {
    const national = examples[country];
    const at = position % national.length;
    return `+${getCountryCallingCode(country)}${national.slice(0, at)}${digit}${national.slice(at + 1)}`;
  });

describe('a phone number read at the edge', () => {
  it('carries the line type exactly when libphonenumber deems it valid (the one lookup replaces isValid and getType)', () => {
    fc.assert(
      fc.property(numbers, (input) => {
        const parsed = parsePhoneNumber(input);
        const read = canonicalPhoneNumber(input);
        expect(read.lineType).toBe(parsed?.isValid() ? parsed.getType() : undefined);
        expect(read.lineType !== undefined).toBe(parsed?.isValid() ?? false);
      }),
      { numRuns: 2000 },
    );
  });
});
