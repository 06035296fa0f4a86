import { ApiError } from '@otpflow/errors';
import { LRUCache } from 'lru-cache';

export interface FailedAuthSettings {
  /** Failed authentications a source may make per window; past it, 429 until the window ends. */
  limit: number;
  windowSeconds: number;
  /** Sources remembered at once; the least recently failed are forgotten first. */
  maxSources?: number;
}

/**
 * Limits failed authentication per source address, in this replica's memory. Per replica rather than
 * shared in MongoDB on purpose: the limit is met by whoever floods the gateway with bad credentials,
 * and a shared counter would turn each of their requests into a database write (the flood reaching
 * the store every gateway depends on). With N replicas a source gets N times the budget; the keys
 * and tokens it guesses at are 16+ random characters or signed, so the limit is about cost and noise,
 * not about making guessing feasible. Memory is bounded by `maxSources`.
 */
export class FailedAuthLimiter {
  private readonly sources: LRUCache<string, { failures: number; windowEndsAt: number }>;

  constructor(
    private readonly settings: FailedAuthSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.sources = new LRUCache({ max: settings.maxSources ?? 100_000 });
  }

  /** 429 TOO_MANY_REQUESTS (with Retry-After) when the source has no failures left this window. */
  check(source: string): void {
    const entry = this.window(source);
    if (!entry || entry.failures < this.settings.limit) return;
    throw new ApiError('TOO_MANY_REQUESTS', {
      retryAfterSeconds: Math.max(1, Math.ceil((entry.windowEndsAt - this.now()) / 1000)),
    });
  }

  record(source: string): void {
    const entry = this.window(source) ?? {
      failures: 0,
      windowEndsAt: this.now() + this.settings.windowSeconds * 1000,
    };
    entry.failures += 1;
    this.sources.set(source, entry);
  }

  /** The source's current window, if it has failed in it. */
  private window(source: string): { failures: number; windowEndsAt: number } | undefined {
    const entry = this.sources.get(source);
    if (entry && entry.windowEndsAt > this.now()) return entry;
    if (entry) this.sources.delete(source);
    return undefined;
  }
}
