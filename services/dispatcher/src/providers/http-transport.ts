import { ProviderError } from './provider-error.js';

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * The HTTP call every HTTP provider makes: the dispatcher's abort signal bounds it, and failures to get
 * any answer (timeout, refused or reset connection, DNS) are retryable ProviderErrors. Classifying an
 * answer that did arrive is each provider's job.
 */
export async function httpRequest(
  provider: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal: AbortSignal },
): Promise<HttpResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'POST',
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    });
  } catch (cause) {
    const timedOut = init.signal.aborted;
    throw new ProviderError(
      provider,
      timedOut ? 'timeout' : 'connection',
      timedOut ? 'the provider did not answer in time' : 'could not reach the provider',
      {
        vendorCode: timedOut ? 'timeout' : 'connection',
        cause,
      },
    );
  }
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    throw new ProviderError(provider, 'connection', 'the provider answer was cut off', {
      vendorCode: 'connection',
      cause,
    });
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
