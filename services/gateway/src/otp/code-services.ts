import type { AmqpClient, EventPublisher } from '@otpflow/amqp';
import type { Collection } from 'mongodb';
import type { NumbersCollectionDocument, StoreCapabilities } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { GatewayConfig } from '../config.js';
import type { FraudGuard } from '@otpflow/fraud';
import { SendJobPublisher } from '../messaging/send-job.publisher.js';
import type { TemplateStore } from '../templates/template.store.js';
import { CodeChecker } from './code-checker.js';
import { CodeIssuer } from './code-issuer.js';
import { CodeHasher } from './code.js';
import { CodeAddresses } from './keys.js';
import type { Limits } from './limits.js';
import { MessageRenderer } from './message-renderer.js';
import { PhonePolicy } from './phone-policy.js';
import type { AttemptGuard } from './store/attempt-guard.js';
import { MongoSessionStore } from './store/mongo-session.store.js';
import { TestNumbers } from './test-numbers.js';

export interface CodeServicesParts {
  numbers: Collection<NumbersCollectionDocument>;
  capabilities: StoreCapabilities;
  guard: AttemptGuard;
  limits: Limits;
  templates: TemplateStore;
  amqp: AmqpClient;
  events: EventPublisher;
  /** Every send passes it; verifies feed its conversion signal. */
  fraud: FraudGuard;
  logger: Logger;
}

/**
 * The codes' domain from the settings: the number-state store over its attempt guard, how codes are
 * addressed and hashed, the issuer (number policy, limits, rendering, the send job) and the checker.
 */
export function buildCodeServices(config: GatewayConfig, parts: CodeServicesParts) {
  const { numbers, capabilities, guard, limits, templates, amqp, events, fraud, logger } = parts;
  const store = new MongoSessionStore({ collection: numbers, guard, capabilities, logger });
  const addresses = new CodeAddresses(config.CODE_HASH_SECRET);
  const hasher = new CodeHasher(config.CODE_HASH_SECRET);
  const issuer = new CodeIssuer({
    store,
    addresses,
    hasher,
    limits,
    phonePolicy: new PhonePolicy({
      servedPrefixes: config.SERVED_PREFIXES,
      deniedPrefixes: config.DENIED_PREFIXES,
      blockedNumbers: config.BLOCKED_NUMBERS,
      validation: config.PHONE_VALIDATION,
    }),
    testNumbers: new TestNumbers(config.TEST_NUMBERS),
    renderer: new MessageRenderer(templates),
    jobs: new SendJobPublisher(amqp, config.JOB_ENCRYPTION_KEYS),
    events,
    fraud,
    logger,
    tombstoneSeconds: config.TOMBSTONE_SECONDS,
    ...(config.NUMBER_MAX_SENDS > 0
      ? { numberCap: { max: config.NUMBER_MAX_SENDS, windowSeconds: config.NUMBER_SEND_WINDOW_SECONDS } }
      : {}),
  });
  const checker = new CodeChecker(store, addresses, hasher, events, fraud);
  return { store, addresses, issuer, checker };
}
