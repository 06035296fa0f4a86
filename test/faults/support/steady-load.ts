import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@otpflow/testing';

export interface Answer {
  status: number;
  /** The parsed JSON body, the raw text if it was not JSON, or undefined when empty. */
  body: unknown;
}

export interface Sample extends Answer {
  worker: number;
  /** Milliseconds since the load started (performance clock), when the request went out and came back. */
  startedAt: number;
  endedAt: number;
  ms: number;
  /** What the request was about (a phone number, a session id), for matching answers to outcomes. */
  label: string;
}

/** One request, as a fault test's load sends it: status and body, never a thrown HTTP error. */
export async function jsonRequest(url: string, init: RequestInit = {}): Promise<Answer> {
  try {
    const response = await fetch(url, init);
    const text = await response.text();
    let body: unknown = text || undefined;
    try {
      body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // Not JSON: the raw text is kept, and the test's assertions will show it.
    }
    return { status: response.status, body };
  } catch (error) {
    // No HTTP answer at all (refused, reset): status 0, which no assertion allows.
    return { status: 0, body: String(error) };
  }
}

let numberBase = randomInt(0, 9_000_000);
/** A valid Spanish mobile number not used before by this process, so per-number send limits never bite. */
export function freshMobile(): string {
  numberBase = (numberBase + 1) % 10_000_000;
  return `+3467${String(numberBase).padStart(7, '0')}`;
}

/**
 * A steady stream of requests: `workers` loops, each sending one request, waiting for its answer, then
 * pausing `gapMs`. Every answer is kept with its timing, so a test can see what happened around a fault.
 */
export class SteadyLoad {
  readonly samples: Sample[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  readonly origin: number;

  constructor(
    private readonly options: {
      workers: number;
      gapMs: number;
      request: (worker: number) => Promise<Answer & { label: string }>;
      /** A `performance.now()` to measure from, so several loads share one clock. */
      origin?: number;
    },
  ) {
    this.origin = options.origin ?? performance.now();
  }

  /** Milliseconds since the load's origin, on the same clock as the samples. */
  now(): number {
    return performance.now() - this.origin;
  }

  start(): this {
    this.running = true;
    this.loops = Array.from({ length: this.options.workers }, (_, worker) => this.loop(worker));
    return this;
  }

  private async loop(worker: number): Promise<void> {
    while (this.running) {
      const startedAt = this.now();
      const answer = await this.options.request(worker);
      const endedAt = this.now();
      this.samples.push({ ...answer, worker, startedAt, endedAt, ms: endedAt - startedAt });
      await sleep(this.options.gapMs);
    }
  }

  /** Stops sending and waits for the requests in flight to be answered. */
  async stop(): Promise<Sample[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.samples;
  }

  between(from: number, to: number): Sample[] {
    return this.samples.filter((sample) => sample.startedAt >= from && sample.startedAt <= to);
  }
}

/** Authorization and JSON headers for the test client. */
export function clientHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
}

/**
 * CAMARA send-code to a fresh number from each of `workers` loops: the load the outage tests keep on
 * the gateway while they break one of its dependencies. Samples are labelled with the number.
 */
export function sendCodeLoad(
  gatewayUrl: string,
  options: { apiKey: string; gapMs: number; timeoutMs: number; origin: number; workers?: number },
): SteadyLoad {
  return new SteadyLoad({
    workers: options.workers ?? 4,
    gapMs: options.gapMs,
    origin: options.origin,
    request: async () => {
      const phoneNumber = freshMobile();
      const answer = await jsonRequest(`${gatewayUrl}/one-time-password-sms/v1/send-code`, {
        method: 'POST',
        headers: clientHeaders(options.apiKey),
        body: JSON.stringify({ phoneNumber, message: '{{code}} is your code' }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      return { ...answer, label: phoneNumber };
    },
  });
}

/** `/readyz` every 100 ms from one loop. */
export function readinessProbe(gatewayUrl: string, origin: number): SteadyLoad {
  return new SteadyLoad({
    workers: 1,
    gapMs: 100,
    origin,
    request: async () => ({ ...(await jsonRequest(`${gatewayUrl}/readyz`)), label: 'readyz' }),
  });
}

/** Waits until a request that started after `since` got `status`. */
export function waitForAnswerAfter(load: SteadyLoad, since: number, status: number, what: string) {
  return waitFor(() => load.samples.some((sample) => sample.startedAt > since && sample.status === status), {
    timeoutMs: 30_000,
    what,
  });
}
