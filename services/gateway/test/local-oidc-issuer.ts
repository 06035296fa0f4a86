import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** What each endpoint answers: its document, or a failure the way a struggling identity provider fails. */
export type EndpointMode = 'ok' | 'unavailable' | 'garbage';

export interface TokenOptions {
  /** The `typ` header; `JWT` unless set (`at+jwt` for RFC 9068 access tokens). */
  typ?: string;
  audience?: string | null;
  /** A jose time span (`5m`, `-1m`), or null for a token without `exp`. */
  expiresIn?: string | null;
  issuer?: string;
  /** Signs with a key the issuer never published. */
  foreignKey?: boolean;
  /** Signs with the newest key (see rotateKey). */
  newestKey?: boolean;
}

/**
 * An OIDC identity provider on loopback, as the gateway sees one: a discovery document at
 * `<issuer>/.well-known/openid-configuration` naming a JWKS, and access tokens signed with the key the
 * JWKS publishes. Each endpoint can be made to fail, and counts the requests it got, so tests can see
 * how often the gateway asks.
 */
export class LocalOidcIssuer {
  readonly requests = { discovery: 0, jwks: 0 };
  discoveryMode: EndpointMode = 'ok';
  jwksMode: EndpointMode = 'ok';

  /** Keys published after the first (key rotation), newest last. */
  private readonly rotated: { kid: string; privateKey: CryptoKey; jwk: JWK }[] = [];

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    private readonly signingKey: CryptoKey,
    private readonly foreignKey: CryptoKey,
    readonly audience: string,
    private readonly publicJwk: JWK,
  ) {}

  /** Publishes a new signing key beside the first, as an identity provider rotating its keys does. */
  async rotateKey(): Promise<void> {
    const pair = await generateKeyPair('ES256');
    const kid = `key-${this.rotated.length + 2}`;
    this.rotated.push({
      kid,
      privateKey: pair.privateKey,
      jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' },
    });
  }

  private published(): JWK[] {
    return [this.publicJwk, ...this.rotated.map((key) => key.jwk)];
  }

  static async start(audience = 'otpflow-api'): Promise<LocalOidcIssuer> {
    const pair = await generateKeyPair('ES256');
    const foreign = await generateKeyPair('ES256');
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
    let issuer = '';
    const holder: { instance?: LocalOidcIssuer } = {};
    const server = createServer((request, response) => {
      const self = holder.instance;
      const path = new URL(request.url ?? '/', issuer).pathname;
      const kind = path.endsWith('/.well-known/openid-configuration')
        ? 'discovery'
        : path.endsWith('/jwks')
          ? 'jwks'
          : undefined;
      if (!self || !kind) {
        response.writeHead(404).end();
        return;
      }
      self.requests[kind] += 1;
      const mode = kind === 'discovery' ? self.discoveryMode : self.jwksMode;
      if (mode === 'unavailable') {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
        return;
      }
      const document =
        kind === 'discovery' ? { issuer, jwks_uri: `${issuer}/protocol/jwks` } : { keys: self.published() };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(mode === 'garbage' ? '{"not json' : JSON.stringify(document));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/main`;
    holder.instance = new LocalOidcIssuer(
      server,
      issuer,
      pair.privateKey,
      foreign.privateKey,
      audience,
      publicJwk,
    );
    return holder.instance;
  }

  /** An access token with these claims (a client id and the CAMARA scope unless overridden). */
  token(claims: Record<string, unknown>, options: TokenOptions = {}): Promise<string> {
    const newest = options.newestKey ? this.rotated.at(-1) : undefined;
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: newest?.kid ?? 'key-1', typ: options.typ ?? 'JWT' })
      .setIssuer(options.issuer ?? this.issuer)
      .setIssuedAt();
    const audience = options.audience === undefined ? this.audience : options.audience;
    if (audience !== null) jwt.setAudience(audience);
    const expiresIn = options.expiresIn === undefined ? '5m' : options.expiresIn;
    if (expiresIn !== null) jwt.setExpirationTime(expiresIn);
    return jwt.sign(newest?.privateKey ?? (options.foreignKey ? this.foreignKey : this.signingKey));
  }

  resetCounts(): void {
    this.requests.discovery = 0;
    this.requests.jwks = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
