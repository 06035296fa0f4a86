// One server for bench/http-layer.mjs, by VARIANT:
//   gateway  the gateway's own express app (createApp from the build) with its real authentication,
//            body parsing and validation, error handling, metrics and access log, in front of a
//            domain that answers at once (no store, no broker): what the gateway's HTTP layer costs;
//   bare     a node:http server that reads the body, parses the JSON and answers the same status and
//            body: the ceiling's HTTP part (bench/ceiling-server.mjs), what any server pays.
// Settings (environment): VARIANT, PORT, LOG_FILE (the gateway's access log goes there, as info).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createLogger, createMetricsRegistry } from '@otpflow/telemetry';
import { pino } from 'pino';
import { createApp } from '../../services/gateway/dist/app.js';
import { ApiKeyRegistry } from '../../services/gateway/dist/auth/api-keys.js';
import { Authenticator } from '../../services/gateway/dist/auth/authenticator.js';
import { defaultPolicy } from '../../services/gateway/dist/policies/client-policy.js';
import { BENCH_API_KEY, BENCH_CLIENT_ID } from './documents.mjs';

const port = Number(process.env.PORT ?? 8091);

function bareServer() {
  return createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/readyz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      return;
    }
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        response.writeHead(400).end();
        return;
      }
      if (request.url.endsWith('/send-code')) {
        const body = JSON.stringify({ authenticationId: randomUUID() });
        response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      } else {
        response.writeHead(204).end();
      }
    });
  });
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
  const policy = defaultPolicy({
    codeLength: 6,
    validitySeconds: 300,
    maxAttempts: 3,
    maxSends: 1000,
    sendWindowSeconds: 60,
  });
  const answered = () => Promise.resolve();
  const app = createApp({
    authenticator: new Authenticator(new ApiKeyRegistry([`${BENCH_API_KEY}:${BENCH_CLIENT_ID}`]), undefined),
    limits: { checkRequestRate: answered },
    policies: { effective: () => Promise.resolve({ policy, stored: false }) },
    issuer: { send: () => Promise.resolve({ _id: randomUUID() }) },
    checker: { check: () => Promise.resolve({ kind: 'verified' }) },
    registry,
    logger,
    ops: { registry, isAccepting: () => true, checks: {} },
    settings: { bodyLimitBytes: 16_384, messageMaxLength: 160, trustProxyHops: 0 },
  });
  return createServer(app);
}

const server = process.env.VARIANT === 'bare' ? bareServer() : gatewayServer();
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
