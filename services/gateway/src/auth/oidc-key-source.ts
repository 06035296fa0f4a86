import { ApiError, DependencyUnavailableError } from '@otpflow/errors';
import {
  createLocalJWKSet,
  errors as joseErrors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWTHeaderParameters,
} from 'jose';

/** How the gateway treats its identity provider, in one place. */
export const OIDC_KEY_DEFAULTS = {
  /** Per request to the discovery document or the JWKS. */
  timeoutMs: 2_000,
  /** Keys are fetched again after this long; until a fetch succeeds, the keys in hand keep working. */
  refreshMs: 10 * 60_000,
  /** A token signed by an unknown key id fetches the JWKS again (key rotation), at most this often. */
  unknownKeyCooldownMs: 30_000,
  /** After a failed fetch, none is tried for about 1 s, then 2, 4 … up to 60 s. */
  backoff: { initialMs: 1_000, maxMs: 60_000 },
};
export type OidcKeySettings = typeof OIDC_KEY_DEFAULTS;

/**
 * The wait after the n-th failure in a row: doubling from `initialMs` up to `maxMs`, with "equal
 * jitter" (at least half the step), so gateway replicas that failed together do not retry together.
 */
export function backoffDelayMs(
  failures: number,
  backoff: { initialMs: number; maxMs: number },
  random: () => number,
): number {
  const step = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
  return step / 2 + random() * (step / 2);
}

type LocalKeys = ReturnType<typeof createLocalJWKSet>;

export interface OidcKeySourceOptions {
  issuer: string;
  /** Skips discovery. */
  jwksUrl?: string | undefined;
  /** Production: a discovery document naming an http:// JWKS is refused. */
  requireHttps: boolean;
  settings?: OidcKeySettings;
  now?: () => number;
  random?: () => number;
}

/**
 * The identity provider's signing keys: the JWKS named by the issuer's discovery document (or
 * configured), fetched on first use and refreshed every `refreshMs`. What jose's remote key set does
 * not: a failed fetch is remembered, and nothing is fetched again until its backoff has passed, so an
 * identity provider that is down gets one request per backoff step from each replica instead of one
 * per token; keys already fetched keep verifying tokens while a refresh fails; and a request with no
 * keys to check answers 503 with the backoff's Retry-After at once.
 */
export class OidcKeySource {
  private readonly settings: OidcKeySettings;
  private readonly now: () => number;
  private readonly random: () => number;
  private jwksUrl: string | undefined;
  private keys: { local: LocalKeys; fetchedAt: number } | undefined;
  private failures = 0;
  private retryAt = 0;
  private lastError: unknown;
  private pending: Promise<void> | undefined;

  constructor(private readonly options: OidcKeySourceOptions) {
    this.settings = options.settings ?? OIDC_KEY_DEFAULTS;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.jwksUrl = options.jwksUrl;
  }

  /** jose's key lookup: the key a token's header names, fetching the JWKS again for an unknown one. */
  readonly getKey = async (header: JWTHeaderParameters, token: FlattenedJWSInput) => {
    const keys = await this.current();
    try {
      return await keys.local(header, token);
    } catch (error) {
      const mayRefresh =
        this.now() - keys.fetchedAt >= this.settings.unknownKeyCooldownMs && !this.backingOff();
      if (!(error instanceof joseErrors.JWKSNoMatchingKey) || !mayRefresh) throw error;
      await this.refresh().catch(() => undefined);
      return (this.keys ?? keys).local(header, token);
    }
  };

  /** The keys in hand (a function, so that a read after an await is not narrowed away). */
  private readonly held = () => this.keys;

  private backingOff(): boolean {
    return this.now() < this.retryAt;
  }

  /** The keys to verify with now; stale ones are refreshed in the background, never waited for. */
  private async current(): Promise<{ local: LocalKeys; fetchedAt: number }> {
    if (this.keys) {
      const stale = this.now() - this.keys.fetchedAt >= this.settings.refreshMs;
      if (stale && !this.backingOff()) void this.refresh().catch(() => undefined);
      return this.keys;
    }
    const loaded = this.backingOff() ? undefined : await this.refresh().then(this.held, () => undefined);
    if (loaded) return loaded;
    throw new ApiError('UNAVAILABLE', {
      retryAfterSeconds: Math.max(1, Math.ceil((this.retryAt - this.now()) / 1000)),
      cause: this.lastError,
    });
  }

  /** One fetch at a time, whoever asks; its outcome sets or clears the backoff. */
  private refresh(): Promise<void> {
    this.pending ??= this.load()
      .then(
        () => {
          this.failures = 0;
          this.retryAt = 0;
          this.lastError = undefined;
        },
        (error: unknown) => {
          this.failures += 1;
          this.retryAt = this.now() + backoffDelayMs(this.failures, this.settings.backoff, this.random);
          this.lastError = error;
          throw error;
        },
      )
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private async load(): Promise<void> {
    this.jwksUrl ??= await this.discover();
    const document = await this.fetchJson(this.jwksUrl, 'JWKS');
    let local: LocalKeys;
    try {
      local = createLocalJWKSet(document as JSONWebKeySet);
    } catch (cause) {
      throw new DependencyUnavailableError('identity-provider', 'the JWKS is not a JSON Web Key Set', cause);
    }
    this.keys = { local, fetchedAt: this.now() };
  }

  /** The JWKS URL from `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0). */
  private async discover(): Promise<string> {
    const { issuer } = this.options;
    const url = new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`);
    const document = (await this.fetchJson(url.href, 'discovery document')) as {
      issuer?: unknown;
      jwks_uri?: unknown;
    };
    const refuse = (message: string) => new DependencyUnavailableError('identity-provider', message);
    // Discovery section 4.3: the document must name exactly the issuer it was fetched for.
    if (document.issuer !== issuer) throw refuse('the discovery document names another issuer');
    if (typeof document.jwks_uri !== 'string' || !URL.canParse(document.jwks_uri))
      throw refuse('the discovery document has no jwks_uri');
    if (this.options.requireHttps && !document.jwks_uri.startsWith('https://'))
      throw refuse('the discovery document names a JWKS that is not https');
    return document.jwks_uri;
  }

  private async fetchJson(url: string, what: string): Promise<unknown> {
    const unavailable = (message: string, cause?: unknown) =>
      new DependencyUnavailableError('identity-provider', `the ${what} ${message}`, cause);
    let response: Response;
    try {
      // No redirects: the keys come from where the configuration or the issuer says, nowhere else.
      response = await fetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (cause) {
      throw unavailable('did not answer', cause);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw unavailable(`answered ${response.status}`);
    }
    try {
      return await response.json();
    } catch (cause) {
      throw unavailable('is not JSON', cause);
    }
  }
}
