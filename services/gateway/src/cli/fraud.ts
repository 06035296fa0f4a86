/**
 * The fraud guard's rules from the command line (the admin API's twin, for operators with database
 * access; docs/FRAUD.md):
 *   npm run fraud -- blocks                        (the active blocks)
 *   npm run fraud -- lift <scope> <target>         (lift a block; scope: a client id or '*')
 *   npm run fraud -- allowed                       (the allow-list)
 *   npm run fraud -- allow <scope> <+prefix> [note]
 *   npm run fraud -- unallow <scope> <+prefix>
 * Reads MONGODB_URL from the environment; changes reach every gateway within a sync.
 */
import { loadConfigOrExit } from '@otpflow/lifecycle';
import { connectMongo, mongoSettingsFromEnv } from '@otpflow/mongo';
import { createLogger } from '@otpflow/telemetry';
import { loadConfig } from '../config.js';
import { FraudStore } from '@otpflow/fraud';

const USAGE =
  'usage: npm run fraud -- blocks | lift <scope> <target> | allowed | allow <scope> <+prefix> [note] | unallow <scope> <+prefix>';
const [command, scope, target, note] = process.argv.slice(2);
const needsTarget = ['lift', 'allow', 'unallow'];
if (
  !command ||
  !['blocks', 'allowed', ...needsTarget].includes(command) ||
  (needsTarget.includes(command) && (!scope || !target)) ||
  (command.includes('allow') && command !== 'allowed' && !/^\+[1-9][0-9]{0,14}$/.test(target ?? ''))
) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const config = loadConfigOrExit(() => loadConfig());
const logger = createLogger({ service: 'fraud-cli', level: 'warn' });
const mongo = await connectMongo({ ...mongoSettingsFromEnv(config), maxPoolSize: 2 }, logger);
const store = new FraudStore(mongo.getClient().db(mongo.name));
const now = new Date();
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
try {
  if (command === 'blocks') print(await store.list('block', now));
  else if (command === 'allowed') print(await store.list('allow', now));
  else if (command === 'allow') {
    await store.allow(scope ?? '', target ?? '', note, now);
    process.stdout.write(`allow-listed ${target ?? ''} for ${scope ?? ''}\n`);
  } else {
    const kind = command === 'lift' ? 'block' : 'allow';
    const done = await store.lift(kind, scope ?? '', target ?? '', now);
    process.stdout.write(done ? `removed the ${kind} of ${target ?? ''}\n` : `no such ${kind}\n`);
    if (!done) process.exitCode = 1;
  }
} finally {
  await mongo.close();
}
