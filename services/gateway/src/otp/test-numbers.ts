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
        return [entry.slice(0, separator), entry.slice(separator + 1)] as const;
      }),
    );
  }

  codeFor(e164: string): string | undefined {
    return this.codes.get(e164);
  }
}
