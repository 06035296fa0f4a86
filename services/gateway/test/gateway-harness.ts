import { openSendJob, parseSendJob, type SealedSendPayload, type SendJob } from '@otpflow/contracts';
import { createLogger } from '@otpflow/telemetry';
import { createTestContext, waitFor, type TestContext } from '@otpflow/testing';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { loadConfig, type GatewayConfig } from '../src/config.js';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../src/gateway.js';
import { storedCode, type CodeSnapshot } from './number-documents.js';

/** Client A's and client B's keys: the default scopes (CAMARA and native verifications). */
export const CLIENT_A_KEY = 'client-a-secret-key-0001';
export const CLIENT_B_KEY = 'client-b-secret-key-0002';
export const NO_SCOPE_KEY = 'client-c-secret-key-0003';
/** The platform operator's key (`otpflow:admin`): any tenant's policy, and nothing else. */
export const ADMIN_KEY = 'platform-admin-key-00004';
/** Client A's and client B's tenant-administration keys (`otpflow:templates`): their own templates and policy. */
export const TEMPLATES_KEY = 'client-a-templates-key-05';
export const TEMPLATES_B_KEY = 'client-b-templates-key-06';
/** Client A's keys with one API's scope each, so a route is tried with a credential for the other API. */
export const CAMARA_ONLY_KEY = 'client-a-camara-only-key-07';
export const VERIFICATIONS_ONLY_KEY = 'client-a-native-only-key-08';
export const TEST_NUMBER = '+34600000001';
export const TEST_NUMBER_CODE = '246810';
/** A valid Spanish mobile number for the real (non-test) path. */
export const MOBILE = '+34612345678';

let mobileSequence = 0;
/** A different valid mobile number on every call, so per-number send limits never leak between tests. */
export function uniqueMobile(): string {
  mobileSequence += 1;
  const random = Math.floor(Math.random() * 1e6)
    .toString()
    .padStart(6, '0');
  return `+346${String(mobileSequence % 100).padStart(2, '0')}${random}`;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface GatewayHarness {
  context: TestContext;
  gateway: RunningGateway;
  config: GatewayConfig;
  url: string;
  post(
    path: string,
    body: unknown,
    options?: { key?: string | null; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  /** Any method; `body` undefined sends none. */
  call(
    method: string,
    path: string,
    body?: unknown,
    options?: { key?: string | null; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  sendCode(phoneNumber: string, options?: { key?: string; message?: string }): Promise<string>;
  /** Takes the next send job of a session from the send queue (as the dispatcher would) and opens it. */
  takeJob(authenticationId: string): Promise<{ job: SendJob; payload: SealedSendPayload }>;
  /** A code's stored entry with the truth of its state, as client A's (or `clientId`'s). */
  session(authenticationId: string, clientId?: string): Promise<CodeSnapshot | null>;
  stop(): Promise<void>;
}

/**
 * A gateway started in this process against the real RabbitMQ and MongoDB-compatible server, with
 * its own database and topology prefix. `env` overrides the test defaults.
 */
export async function startHarness(
  label: string,
  env: Record<string, string> = {},
  overrides: GatewayOverrides = {},
): Promise<GatewayHarness> {
  const context = createTestContext(label);
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    MONGODB_URL: context.mongoUrl,
    RABBITMQ_URL: context.rabbitUrl,
    AMQP_PREFIX: context.topology.prefix,
    AMQP_QUEUE_TYPE: context.topology.queueType,
    RETRY_DELAYS_MS: context.topology.retryDelaysMs.join(','),
    API_KEYS: [
      `${CLIENT_A_KEY}:client-a`,
      `${CLIENT_B_KEY}:client-b`,
      `${NO_SCOPE_KEY}:client-c:unrelated.scope`,
      `${ADMIN_KEY}:platform-operator:otpflow:admin`,
      `${TEMPLATES_KEY}:client-a:otpflow:templates`,
      `${TEMPLATES_B_KEY}:client-b:otpflow:templates`,
      `${CAMARA_ONLY_KEY}:client-a:one-time-password-sms:send-validate`,
      `${VERIFICATIONS_ONLY_KEY}:client-a:otpflow:verifications`,
    ].join(','),
    TEST_NUMBERS: `${TEST_NUMBER}:${TEST_NUMBER_CODE}`,
    CODE_HASH_SECRET: 'integration-test-code-hash-secret-0123456789',
    // Bursts of parallel requests are what these tests are about; the rate limit has its own test.
    CLIENT_RATE_LIMIT: '100000',
    // Likewise tests send bad credentials on purpose; the failed-authentication limit has its own test.
    AUTH_FAILURE_LIMIT: '100000',
    ...env,
  });
  const gateway = await startGateway(
    config,
    createLogger({ service: 'gateway', level: 'silent' }),
    overrides,
  );
  await gateway.amqp.waitForConnect();

  let amqp: ChannelModel | undefined;
  let channel: Channel | undefined;
  /** Jobs read off the queue but not yet taken, per session, oldest first. */
  const pendingJobs = new Map<string, { job: SendJob; payload: SealedSendPayload }[]>();

  const call: GatewayHarness['call'] = async (method, path, body, options = {}) => {
    const key = options.key === undefined ? CLIENT_A_KEY : options.key;
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...options.headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
  };
  const post: GatewayHarness['post'] = (path, body, options) => call('POST', path, body, options);

  return {
    context,
    gateway,
    config,
    url: gateway.url,
    post,
    call,
    async sendCode(phoneNumber, options = {}) {
      const response = await post(
        '/one-time-password-sms/v1/send-code',
        { phoneNumber, message: options.message ?? '{{code}} is your code' },
        { key: options.key ?? CLIENT_A_KEY },
      );
      if (response.status !== 200)
        throw new Error(`send-code answered ${response.status}: ${JSON.stringify(response.body)}`);
      return (response.body as { authenticationId: string }).authenticationId;
    },
    async takeJob(authenticationId) {
      amqp ??= await connect(context.rabbitUrl);
      channel ??= await amqp.createChannel();
      const queue = gateway.amqp.names.sendQueue;
      const openChannel = channel;
      return waitFor(
        async () => {
          const waiting = pendingJobs.get(authenticationId);
          if (waiting?.length) return waiting.shift();
          const message = await openChannel.get(queue, { noAck: true });
          if (!message) return undefined;
          const job = parseSendJob(message.content);
          const list = pendingJobs.get(job.authenticationId) ?? [];
          list.push({ job, payload: openSendJob(job, config.JOB_ENCRYPTION_KEYS) });
          pendingJobs.set(job.authenticationId, list);
          return undefined;
        },
        { what: `the send job of ${authenticationId}` },
      );
    },
    session: (authenticationId, clientId) => storedCode(gateway, authenticationId, clientId),
    async stop() {
      await channel?.close().catch(() => undefined);
      await amqp?.close().catch(() => undefined);
      await gateway.shutdown('test finished');
      await context.dispose();
    },
  };
}
