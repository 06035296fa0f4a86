import { detectStoreCapabilities, numbersCollection, type StoreCapabilities } from '@otpflow/mongo';
import { createLogger } from '@otpflow/telemetry';
import { createTestContext, type TestContext } from '@otpflow/testing';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import type { GuardContext } from '../src/otp/store/attempt-guard.js';
import { ClaimsGuard } from '../src/otp/store/claims.guard.js';
import { ConditionalUpdateGuard } from '../src/otp/store/conditional-update.guard.js';
import { MongoSessionStore } from '../src/otp/store/mongo-session.store.js';
import { LOCKOUT_SECONDS, sessionStoreContract } from './session-store.contract.js';

/**
 * The SessionStore contract against the real store, with both attempt strategies. The claims run
 * concurrently anywhere; conditional updates only where the store applies them atomically (MongoDB),
 * one at a time elsewhere.
 */
let context: TestContext;
let client: MongoClient;
let db: Db;
let capabilities: StoreCapabilities;
beforeAll(async () => {
  context = createTestContext('store');
  client = await new MongoClient(context.mongoUrl).connect();
  db = client.db(context.databaseName);
  capabilities = await detectStoreCapabilities(db);
});
afterAll(async () => {
  await client.close();
  await context.dispose();
});

const storeWith = (guard: (context: GuardContext) => ConditionalUpdateGuard | ClaimsGuard) => () => {
  const collection = numbersCollection(db);
  const guardContext: GuardContext = { collection, capabilities, lockoutSeconds: LOCKOUT_SECONDS };
  const store = new MongoSessionStore({
    collection,
    guard: guard(guardContext),
    capabilities,
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
  return Promise.resolve({ store, close: () => Promise.resolve() });
};

sessionStoreContract(
  'MongoDB, claims',
  storeWith((guard) => new ClaimsGuard(guard)),
  { concurrent: () => true },
);
sessionStoreContract(
  'MongoDB, conditional updates',
  storeWith((guard) => new ConditionalUpdateGuard(guard)),
  {
    concurrent: () => capabilities.atomicConditionalUpdates,
  },
);
