/**
 * Keeps a label's values bounded: listed values (or, without a list, the first `limit` values seen)
 * keep their name, every other value becomes "other". Without it one tenant-per-customer platform
 * could create a time series per customer and sink Prometheus.
 */
export class LabelLimiter {
  private readonly known: Set<string>;

  constructor(
    private readonly allowlist: readonly string[],
    private readonly limit: number,
  ) {
    this.known = new Set(allowlist);
  }

  value(raw: string): string {
    if (this.known.has(raw)) return raw;
    if (this.allowlist.length === 0 && this.known.size < this.limit) {
      this.known.add(raw);
      return raw;
    }
    return 'other';
  }
}
