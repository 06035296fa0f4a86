import { readEnv } from './core/env.js';
import { Transport } from './core/transport.js';
import { OtpflowError } from './errors.js';
import { Admin } from './resources/admin.js';
import { Analytics } from './resources/analytics.js';
import { Otpvalidation } from './resources/otpvalidation.js';
import { OwnPolicy } from './resources/policies.js';
import { Templates } from './resources/templates.js';
import { Verifications } from './resources/verifications.js';
import { Webhooks } from './resources/webhooks.js';

export const DEFAULT_BASE_URL = 'http://localhost:8080';
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 2;

export interface ClientOptions {
  /** The API key or OAuth access token; `process.env.CAMARA_BEARER_TOKEN` when left out. */
  bearerToken?: string | undefined;
  /** The gateway; `process.env.OTPFLOW_BASE_URL`, else `http://localhost:8080`, when left out. */
  baseURL?: string | undefined;
  /** Milliseconds each attempt may take (10000). */
  timeout?: number | undefined;
  /** Retries of a failed call that is safe to repeat (2). */
  maxRetries?: number | undefined;
}

/**
 * The otpflow client. `otpvalidation` is the CAMARA API exactly as the seed CAMARA SDK exposes it;
 * `verifications`, `templates`, `webhooks`, `policy` (the caller's own) and `admin.policies` (any client's) are
 * the native API.
 */
export class Client {
  readonly baseURL: string;
  readonly timeout: number;
  readonly maxRetries: number;

  readonly otpvalidation: Otpvalidation;
  readonly verifications: Verifications;
  /** Conversion and cost from hourly aggregates. */
  readonly analytics: Analytics;
  readonly templates: Templates;
  readonly webhooks: Webhooks;
  readonly policy: OwnPolicy;
  readonly admin: Admin;

  constructor(options: ClientOptions = {}) {
    const bearerToken = options.bearerToken ?? readEnv('CAMARA_BEARER_TOKEN');
    if (!bearerToken) {
      throw new OtpflowError(
        'No bearer token: pass the bearerToken option, or set the CAMARA_BEARER_TOKEN environment variable.',
      );
    }
    const baseURL = options.baseURL ?? readEnv('OTPFLOW_BASE_URL') ?? DEFAULT_BASE_URL;
    if (!URL.canParse(baseURL)) throw new OtpflowError(`baseURL is not a URL: ${baseURL}`);
    const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeout) || timeout <= 0)
      throw new OtpflowError('timeout must be a positive whole number of milliseconds.');
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!Number.isInteger(maxRetries) || maxRetries < 0)
      throw new OtpflowError('maxRetries must be a whole number, 0 or more.');

    // Paths start with '/': a trailing one here would double it.
    this.baseURL = baseURL.replace(/\/+$/, '');
    this.timeout = timeout;
    this.maxRetries = maxRetries;
    const transport = new Transport({ baseURL: this.baseURL, bearerToken, timeout, maxRetries });
    this.otpvalidation = new Otpvalidation(transport);
    this.verifications = new Verifications(transport);
    this.analytics = new Analytics(transport);
    this.templates = new Templates(transport);
    this.webhooks = new Webhooks(transport);
    this.policy = new OwnPolicy(transport);
    this.admin = new Admin(transport);
  }
}
