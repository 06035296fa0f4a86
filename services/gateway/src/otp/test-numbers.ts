import { canonicalPhoneNumber } from './phone-number.js';

/**
 * TEST_NUMBERS (`+E164:code`): numbers that always get the same code and never an SMS, so integration
 * tests, load tests and client developers can run the whole flow without a provider. Refused in
 * production by the config.
 */
export class TestNumbers {
  private readonly codes: ReadonlyMap<string, string>;

  constructor(entries: readonly string[]) {
    this.codes = new Map(
      entries.map((entry) => {
        const separator = entry.lastIndexOf(':');
        return [canonicalPhoneNumber(entry.slice(0, separator)).e164, entry.slice(separator + 1)] as const;
      }),
    );
  }

  /** The fixed code of a canonical number, if it is a test number. */
  codeFor(e164: string): string | undefined {
    return this.codes.get(e164);
  }
}
