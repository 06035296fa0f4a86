import { LOCKOUT_SECONDS, sessionStoreContract } from '../../test/session-store.contract.js';
import { InMemorySessionStore } from './in-memory-session.store.js';

sessionStoreContract(
  'in memory',
  () => Promise.resolve({ store: new InMemorySessionStore(LOCKOUT_SECONDS), close: () => Promise.resolve() }),
  { concurrent: () => true },
);
