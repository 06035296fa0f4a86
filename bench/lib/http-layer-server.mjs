// One server for bench/http-layer.mjs, by VARIANT:
//   gateway  the gateway's own express app (createApp from the build) with its real authentication,
//            body parsing and validation, error handling, metrics and access log, in front of a
//            domain that answers at once (no store, no broker): what the gateway's HTTP layer costs;
//   bare     a node:http server that reads the body, parses the JSON and answers the same status and
//            body: the ceiling's HTTP part (bench/ceiling-server.mjs), what any server pays.
// Settings (environment): VARIANT, PORT, LOG_FILE (the gateway's access log goes there, as info).
import { randomUUID } from 'node:crypto';
import { createLogger, createMetricsRegistry } from '@otpflow/telemetry';
import { pino } from 'pino';
import { createApp } from '../../services/gateway/dist/app.js';
import { createAuthenticator } from '../../services/gateway/dist/auth/create-authenticator.js';
import { createExpressServer } from '../../services/gateway/dist/http/express-server.js';
import { loadConfig } from '../../services/gateway/dist/config.js';
import { policyDefaults } from '../../services/gateway/dist/policies/policy-defaults.js';
import { defaultPolicy } from '../../services/gateway/dist/policies/client-policy.js';
import { gatewayEnv } from './documents.mjs';
import { jsonServer, serveUntilStopped } from './json-server.mjs';

const port = Number(process.env.PORT ?? 8091);

/** Answers as the gateway does, at once: an authenticationId for send-code, 204 for validate-code. */
function bareServer() {
  return jsonServer((url) =>
    url.endsWith('/send-code')
      ? { status: 200, body: JSON.stringify({ authenticationId: randomUUID() }) }
      : { status: 204 },
  );
}

function gatewayServer() {
  const logger = createLogger(
    { service: 'gateway', level: 'info' },
    pino.destination({
      dest: process.env.LOG_FILE ?? '/dev/null',
      sync: process.env.LOG_SYNC === 'true',
      minLength: Number(process.env.LOG_MIN_LENGTH ?? 0),
    }),
  );
  const registry = createMetricsRegistry();
  // The gateway's own settings, from the bench's gateway environment, so this server follows the
  // build: what it does not have (store, broker) answers at once below.
  const config = loadConfig(
    gatewayEnv({
      port,
      mongoUrl: 'mongodb://127.0.0.1:1',
      rabbitUrl: 'amqp://127.0.0.1:1',
      prefix: 'http-layer',
      logLevel: 'info',
      testNumbers: 1,
    }),
  );
  const policy = defaultPolicy(policyDefaults(config));
  const answered = () => Promise.resolve();
  const authenticationId = () => `${randomUUID()}`;
  const app = createApp({
    authenticator: createAuthenticator(config),
    limits: { checkRequestRate: answered },
    policies: { effective: () => Promise.resolve({ policy, stored: false }) },
    issuer: { send: () => Promise.resolve({ ref: { authenticationId: authenticationId() } }) },
    checker: { check: () => Promise.resolve({ kind: 'verified' }) },
    templates: {},
    deliveries: { collection: {} },
    idempotency: {},
    registry,
    logger,
    ops: { registry, isAccepting: () => true, checks: {} },
    settings: {
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      messageMaxLength: config.MESSAGE_MAX_LENGTH,
      trustProxyHops: config.TRUST_PROXY_HOPS,
    },
  });
  return createExpressServer(app);
}

const server = process.env.VARIANT === 'bare' ? bareServer() : gatewayServer();
serveUntilStopped(server, port);
