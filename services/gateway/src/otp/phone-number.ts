import parsePhoneNumber, { type PhoneNumber as ParsedPhoneNumber } from 'libphonenumber-js/max';

/** libphonenumber's line type of a valid number (MOBILE, FIXED_LINE, VOIP...). */
export type LineType = NonNullable<ReturnType<ParsedPhoneNumber['getType']>>;

/**
 * A phone number read once, at the edge. `e164` is the one canonical form libphonenumber gives (a UK
 * mobile written `+4407911123499`, trunk 0 kept, is `+447911123499`): it alone keys limits, blocks,
 * prefixes, supersede and the number's state, and it is what the code is sent to.
 */
export interface PhoneNumber {
  e164: string;
  /** Without '+': "34". Empty when libphonenumber cannot read the number. */
  countryCallingCode: string;
  /** libphonenumber's reading, for the line checks; undefined when it cannot read the number. */
  parsed: ParsedPhoneNumber | undefined;
  /**
   * The line type, undefined when the number is not valid. Looked up once: with the full metadata
   * (every numbering plan has its types) `isValid()` is exactly `getType() !== undefined`, and each
   * call matches the number against the plan's patterns again.
   */
  lineType: LineType | undefined;
}

/** Reads a number already checked against the E.164 pattern; one it cannot read stays as written. */
export function canonicalPhoneNumber(input: string): PhoneNumber {
  const parsed = parsePhoneNumber(input);
  if (!parsed) return { e164: input, countryCallingCode: '', parsed: undefined, lineType: undefined };
  return {
    e164: parsed.number,
    countryCallingCode: parsed.countryCallingCode,
    parsed,
    lineType: parsed.getType(),
  };
}
