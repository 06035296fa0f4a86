import { APIConnectionError, APIError, APIUserAbortError, retryAfterMs } from '../errors.js';

/** First backoff delay; each retry doubles it, up to MAX_RETRY_DELAY_MS. */
export const INITIAL_RETRY_DELAY_MS = 500;
export const MAX_RETRY_DELAY_MS = 8000;
/** Up to this share of a backoff delay is taken off at random, so clients that failed together spread out. */
const JITTER = 0.25;
/**
 * A `Retry-After` longer than this is not waited out inside a call: the error is thrown at once, with
 * its `retryAfter`, for the caller to decide (a quota window can last hours).
 */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Whether a failure may pass with time: no answer, a rate limit, a server error. Other 4xx answers
 * would only repeat themselves. (Whether the call itself is safe to repeat is the caller's decision.)
 */
export function isTransient(error: unknown): error is APIError {
  if (error instanceof APIUserAbortError) return false;
  if (error instanceof APIConnectionError) return true;
  return (
    error instanceof APIError && error.status !== undefined && (error.status === 429 || error.status >= 500)
  );
}

/**
 * How long to wait before retry number `retry` (0 for the first): exponential backoff with jitter, and
 * never less than the gateway's `Retry-After`. Undefined when the gateway asks for a longer wait than
 * MAX_RETRY_AFTER_MS: retrying is then pointless.
 */
export function retryDelayMs(retry: number, error: APIError, random = Math.random): number | undefined {
  const backoff = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** retry, MAX_RETRY_DELAY_MS) * (1 - random() * JITTER);
  const asked = retryAfterMs(error.headers);
  if (asked === undefined) return backoff;
  return asked > MAX_RETRY_AFTER_MS ? undefined : Math.max(asked, backoff);
}

/** Waits, unless the caller aborts first. */
export function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new APIUserAbortError({ cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new APIUserAbortError({ cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
