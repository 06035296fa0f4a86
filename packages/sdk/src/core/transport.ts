import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OtpflowError,
} from '../errors.js';
import { isTransient, retryDelayMs, sleep } from './retry.js';

/** Per-call settings, the second argument of every method (the seed SDK's `RequestOptions`). */
export interface RequestOptions {
  /** Milliseconds each attempt may take, instead of the client's `timeout`. */
  timeout?: number;
  /** Retries for this call, instead of the client's `maxRetries`; calls that are never retried ignore it. */
  maxRetries?: number;
  /** Aborts the call: the attempt in flight and any wait before a retry. */
  signal?: AbortSignal;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
}

export interface TransportSettings {
  baseURL: string;
  bearerToken: string;
  timeout: number;
  maxRetries: number;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Starts with '/'; path parameters already encoded (see pathSegment). */
  path: string;
  /** Sent as JSON; undefined sends no body. */
  body?: unknown;
  /** Headers of the operation itself (x-correlator, Idempotency-Key); undefined values are left out. */
  headers?: Record<string, string | undefined>;
  /**
   * Whether sending the request twice is harmless. Only such calls are retried: repeating a send would
   * send a second code, repeating a check would spend a second attempt.
   */
  idempotent: boolean;
  options?: RequestOptions | undefined;
}

type Attempt = { ok: true; value: unknown } | { ok: false; error: APIError };

/**
 * The HTTP core every resource goes through: headers, JSON, one timeout per attempt, and retries with
 * backoff for the failures that may pass (no answer, 429, 5xx) on the calls that are safe to repeat.
 */
export class Transport {
  readonly #settings: TransportSettings;

  constructor(settings: TransportSettings) {
    this.#settings = settings;
  }

  async request<T>(spec: RequestSpec): Promise<T> {
    const options = spec.options ?? {};
    const maxRetries = spec.idempotent ? (options.maxRetries ?? this.#settings.maxRetries) : 0;
    for (let retry = 0; ; retry += 1) {
      const attempt = await this.#attempt(spec, options);
      if (attempt.ok) return attempt.value as T;
      const { error } = attempt;
      if (retry >= maxRetries || !isTransient(error)) throw error;
      const delay = retryDelayMs(retry, error);
      if (delay === undefined) throw error;
      await sleep(delay, options.signal);
    }
  }

  /** One HTTP exchange. Only the caller's abort is thrown: every other failure is returned, to retry. */
  async #attempt(spec: RequestSpec, options: RequestOptions): Promise<Attempt> {
    const timeout = options.timeout ?? this.#settings.timeout;
    const timeoutSignal = AbortSignal.timeout(timeout);
    const signal = options.signal ? AbortSignal.any([timeoutSignal, options.signal]) : timeoutSignal;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#settings.baseURL}${spec.path}`, {
        method: spec.method,
        headers: this.#headers(spec, options),
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
        signal,
        // A 3xx from an API gateway is a misconfiguration: following it could resend a POST elsewhere.
        redirect: 'manual',
      });
      // Read under the same signal: a body that trickles in counts against the attempt's timeout.
      text = await response.text();
    } catch (cause) {
      if (options.signal?.aborted) throw new APIUserAbortError({ cause: options.signal.reason });
      if (timeoutSignal.aborted)
        return { ok: false, error: new APIConnectionTimeoutError({ timeout, cause }) };
      return { ok: false, error: new APIConnectionError({ cause }) };
    }
    const body = parseBody(text);
    if (!response.ok) {
      const payload = body.kind === 'json' ? body.value : body.kind === 'text' ? body.text : undefined;
      return {
        ok: false,
        error: APIError.fromResponse(response.status, response.headers, payload, response.statusText),
      };
    }
    if (body.kind === 'text') {
      throw new APIError(response.status, response.headers, {
        message: `The gateway answered ${response.status} with a body that is not JSON: ${body.text.slice(0, 200)}`,
      });
    }
    return { ok: true, value: body.kind === 'json' ? body.value : undefined };
  }

  #headers(spec: RequestSpec, options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.#settings.bearerToken}`,
    };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    for (const [name, value] of Object.entries(spec.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    return headers;
  }
}

type ParsedBody = { kind: 'empty' } | { kind: 'json'; value: unknown } | { kind: 'text'; text: string };

/** A body is JSON, empty (204), or something else (a proxy's HTML page), kept as text for the error. */
function parseBody(text: string): ParsedBody {
  if (text === '') return { kind: 'empty' };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'text', text };
  }
}

/**
 * One path parameter, encoded. An empty one is refused here: `/v1/verifications//cancel` would reach
 * another route, or the collection itself.
 */
export function pathSegment(value: string, name: string): string {
  if (!value) throw new OtpflowError(`${name} must be a non-empty string.`);
  return encodeURIComponent(value);
}
