import { createHmac } from 'node:crypto';
import { typedCollection, type DeliveryDocument } from '@otpflow/mongo';
import { createLogger } from '@otpflow/telemetry';
import { createTestContext, waitFor, type TestContext } from '@otpflow/testing';
import {
  loadConfig as loadDispatcherConfig,
  type DispatcherConfig,
} from '../../services/dispatcher/src/config.js';
import { startDispatcher, type RunningDispatcher } from '../../services/dispatcher/src/dispatcher.js';
import {
  FakeHttpServer,
  type CannedResponse,
  type CapturedRequest,
} from '../../services/dispatcher/test/fakes/fake-http-server.js';
import { loadConfig as loadGatewayConfig, type GatewayConfig } from '../../services/gateway/src/config.js';
import { startGateway, type RunningGateway } from '../../services/gateway/src/gateway.js';
import { storedCode, type CodeSnapshot } from '../../services/gateway/test/number-documents.js';

export const API_KEY = 'e2e-client-api-key-000001';
export const RECEIPT_SECRET = 'e2e-webhook-receipt-secret';

/**
 * The headers of a webhook delivery receipt as an in-house gateway sends them: the time, and the
 * HMAC of "<time>.<body>" with the receipt secret.
 */
export function receiptHeaders(
  body: string,
  options: { timestamp?: number; secret?: string } = {},
): Record<string, string> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', options.secret ?? RECEIPT_SECRET)
    .update(`${timestamp}.${body}`)
    .digest('hex');
  return {
    'content-type': 'application/json',
    'x-otpflow-timestamp': timestamp,
    'x-otpflow-signature': `sha256=${signature}`,
  };
}

/** The settings gateway and dispatcher must share, for one test's database and topology. */
export function sharedEnv(context: TestContext): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    MONGODB_URL: context.mongoUrl,
    RABBITMQ_URL: context.rabbitUrl,
    AMQP_PREFIX: context.topology.prefix,
    AMQP_QUEUE_TYPE: context.topology.queueType,
    RETRY_DELAYS_MS: context.topology.retryDelaysMs.join(','),
    CALLBACK_RETRY_DELAYS_MS: context.topology.retryDelaysMs.join(','),
  };
}

export interface WebhookMessage {
  to: string;
  text: string;
  channel: string;
  authenticationId: string;
  idempotencyKey: string;
}

export interface Stack {
  context: TestContext;
  gateway: RunningGateway;
  dispatcher: RunningDispatcher | undefined;
  /** The in-house SMS gateway the webhook provider posts to. */
  webhook: FakeHttpServer;
  dispatcherEnv: Record<string, string>;
  gatewayConfig: GatewayConfig;
  sendCode(phoneNumber: string, message?: string): Promise<string>;
  validateCode(authenticationId: string, code: string): Promise<number>;
  /** Messages the webhook accepted (2xx), in order. */
  accepted(): WebhookMessage[];
  /** Waits for the message of a session to be accepted by the webhook and returns its code. */
  codeFor(authenticationId: string, timeoutMs?: number): Promise<string>;
  /** The stored entry of a code (the e2e client's), with the truth of its state. */
  session(authenticationId: string): Promise<CodeSnapshot | null>;
  /** The delivery record of a session's current code, once the dispatcher has written one. */
  delivery(authenticationId: string): Promise<DeliveryDocument | null>;
  startDispatcher(extraEnv?: Record<string, string>): Promise<RunningDispatcher>;
  stop(): Promise<void>;
}

let acceptedCount = 0;
/** The in-house gateway's usual answer: accepted, with its own message id. */
export function acceptAll(): CannedResponse {
  acceptedCount += 1;
  return { status: 200, body: JSON.stringify({ id: `gw-${acceptedCount}` }) };
}

export function webhookMessage(request: CapturedRequest): WebhookMessage {
  const body = JSON.parse(request.body) as Omit<WebhookMessage, 'idempotencyKey'>;
  return { ...body, idempotencyKey: String(request.headers['idempotency-key']) };
}

/**
 * Gateway and dispatcher in this process, against the real broker and database, with the dispatcher
 * delivering through the webhook provider to a local server. Retry tiers are short so retries show
 * within a test.
 */
/** The in-process gateway's log level: STACK_LOG_LEVEL (`error`, `warn`…) when set, else silent. */
function stackLogLevel(): 'silent' | 'error' | 'warn' | 'info' | 'debug' {
  const level = process.env.STACK_LOG_LEVEL;
  return level === 'error' || level === 'warn' || level === 'info' || level === 'debug' ? level : 'silent';
}

export async function startStack(
  label: string,
  options: {
    gatewayEnv?: Record<string, string>;
    dispatcherEnv?: Record<string, string>;
    startDispatcher?: boolean;
    /**
     * The database and broker to run against, instead of a fresh context on the shared servers: fault
     * tests pass one that points at a broker or database of their own, which they may stop.
     */
    context?: TestContext;
  } = {},
): Promise<Stack> {
  const context = options.context ?? createTestContext(label, { retryDelaysMs: [300, 600, 1200] });
  const webhook = await new FakeHttpServer(acceptAll).start();
  const gatewayConfig = loadGatewayConfig({
    ...sharedEnv(context),
    API_KEYS: `${API_KEY}:e2e-client`,
    CODE_HASH_SECRET: 'e2e-code-hash-secret-0123456789-abcdef',
    ...options.gatewayEnv,
  });
  const gateway = await startGateway(
    gatewayConfig,
    // Silent unless STACK_LOG_LEVEL asks (docs/testing.md): what a failing fault test's gateway said.
    createLogger({ service: 'gateway', level: stackLogLevel() }),
  );
  await gateway.amqp.waitForConnect();
  const dispatcherEnv = {
    ...sharedEnv(context),
    SMS_PROVIDERS: 'webhook',
    VOICE_PROVIDERS: 'webhook',
    WEBHOOK_URL: `${webhook.url}/sms`,
    WEBHOOK_RECEIPT_SECRET: RECEIPT_SECRET,
    PROVIDER_TIMEOUT_MS: '2000',
    ...options.dispatcherEnv,
  };

  const stack: Stack = {
    context,
    gateway,
    dispatcher: undefined,
    webhook,
    dispatcherEnv,
    gatewayConfig,
    async sendCode(phoneNumber, message = '{{code}} is your code') {
      const response = await fetch(`${gateway.url}/one-time-password-sms/v1/send-code`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ phoneNumber, message }),
      });
      if (response.status !== 200)
        throw new Error(`send-code answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { authenticationId: string }).authenticationId;
    },
    async validateCode(authenticationId, code) {
      const response = await fetch(`${gateway.url}/one-time-password-sms/v1/validate-code`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ authenticationId, code }),
      });
      await response.arrayBuffer();
      return response.status;
    },
    accepted: () =>
      webhook.requests
        .filter((request) => request.answeredWith !== undefined && request.answeredWith < 300)
        .map((request) => webhookMessage(request)),
    async codeFor(authenticationId, timeoutMs = 15_000) {
      const message = await waitFor(
        () => stack.accepted().find((item) => item.authenticationId === authenticationId),
        {
          timeoutMs,
          what: `the SMS of ${authenticationId}`,
        },
      );
      const code = /(\d{4,10})/.exec(message.text)?.[1];
      if (!code) throw new Error(`no code in "${message.text}"`);
      return code;
    },
    session: (authenticationId) => storedCode(gateway, authenticationId, 'e2e-client'),
    async delivery(authenticationId) {
      // The latest job's record: the current code's (a resend is a new job of the same id).
      return typedCollection(gateway.mongo.model<DeliveryDocument>('Delivery')).findOne(
        { authenticationId },
        { sort: { requestedAt: -1 } },
      );
    },
    async startDispatcher(extraEnv = {}) {
      const config: DispatcherConfig = loadDispatcherConfig({ ...dispatcherEnv, ...extraEnv });
      stack.dispatcher = await startDispatcher(
        config,
        createLogger({ service: 'dispatcher', level: 'silent' }),
      );
      await stack.dispatcher.amqp.waitForConnect();
      return stack.dispatcher;
    },
    async stop() {
      await stack.dispatcher?.shutdown('test finished');
      await gateway.shutdown('test finished');
      await webhook.close();
      await context.dispose();
    },
  };
  if (options.startDispatcher !== false) await stack.startDispatcher();
  return stack;
}
