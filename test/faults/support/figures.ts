/**
 * Prints a test's measured figures on one `[fault-figures]` line, which docs/RELIABILITY.md quotes.
 * Test output only: the figures are counts and timings, never a code or a phone number.
 */
export function printFigures(what: string, figures: unknown): void {
  console.log(`[fault-figures] ${what} ${typeof figures === 'string' ? figures : JSON.stringify(figures)}`);
}
