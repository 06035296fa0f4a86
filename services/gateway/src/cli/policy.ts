/**
 * Client policies from the command line (the admin API's twin, for operators with database access):
 *   npm run policy -- get <clientId>
 *   npm run policy -- set <clientId> <policy.json | ->     (replaces the stored policy)
 *   npm run policy -- delete <clientId>                   (back to the deployment's defaults)
 * Reads the gateway's settings (MONGODB_URL and the defaults) from the environment.
 */
import { readFile } from 'node:fs/promises';
import { loadConfigOrExit } from '@otpflow/lifecycle';
import { connectMongo, mongoSettingsFromEnv } from '@otpflow/mongo';
import { createLogger } from '@otpflow/telemetry';
import { ApiError } from '@otpflow/errors';
import { loadConfig } from '../config.js';
import { policyDefaults } from '../policies/policy-defaults.js';
import { defaultPolicy, storedPolicySchema } from '../policies/client-policy.js';
import { PolicyStore } from '../policies/policy.store.js';

const USAGE = 'usage: npm run policy -- get <clientId> | set <clientId> <file.json|-> | delete <clientId>';

async function readPolicyFile(path: string): Promise<unknown> {
  const text = await readFile(path === '-' ? '/dev/stdin' : path, 'utf8');
  return JSON.parse(text) as unknown;
}

const [command, clientId, file] = process.argv.slice(2);
if (!command || !clientId || !['get', 'set', 'delete'].includes(command) || (command === 'set' && !file)) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const config = loadConfigOrExit(() => loadConfig());
const logger = createLogger({ service: 'policy-cli', level: 'warn' });
const mongo = await connectMongo({ ...mongoSettingsFromEnv(config), maxPoolSize: 2 }, logger);
const store = new PolicyStore(mongo.getClient().db(mongo.name), defaultPolicy(policyDefaults(config)), 1);
try {
  if (command === 'get') {
    const [{ policy }, stored] = await Promise.all([store.effective(clientId), store.stored(clientId)]);
    process.stdout.write(`${JSON.stringify({ clientId, policy, stored: stored ?? {} }, null, 2)}\n`);
  } else if (command === 'set') {
    const parsed = storedPolicySchema.safeParse(await readPolicyFile(file ?? '-'));
    if (!parsed.success) {
      process.stderr.write(
        `invalid policy:\n${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}\n`,
      );
      process.exitCode = 1;
    } else {
      const policy = await store.put(clientId, parsed.data);
      process.stdout.write(`${JSON.stringify({ clientId, policy }, null, 2)}\n`);
    }
  } else {
    process.stdout.write(
      (await store.remove(clientId))
        ? `removed the policy of ${clientId}\n`
        : `${clientId} had no stored policy\n`,
    );
  }
} catch (error) {
  if (!(error instanceof ApiError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
} finally {
  await mongo.close();
}
