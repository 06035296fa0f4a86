/**
 * The dead-letter queue CLI:
 *   npm run dlq -- list [--limit N] [--json]
 *   npm run dlq -- replay [--job ID ...] [--limit N]   (expired or ended codes are dropped, not sent)
 *   npm run dlq -- purge --yes
 * Reads RABBITMQ_URL (one node or several), the RABBITMQ_TLS_* files and AMQP_PREFIX like the services;
 * a replay also JOB_ENCRYPTION_KEYS and MONGODB_URL (each replayed job is opened, and its code must
 * still be live).
 */
import { parseArgs } from 'node:util';
import { brokerSettingsFromEnv, connectToAnyNode } from '@otpflow/amqp';
import { loadConfigOrExit } from '@otpflow/lifecycle';
import { connectMongo, mongoSettingsFromEnv } from '@otpflow/mongo';
import { createLogger } from '@otpflow/telemetry';
import { loadCliConfig } from './config.js';
import type { DeadLetter } from './dead-letter.js';
import { DeadLetterQueue } from './dead-letters.js';
import { MongoSessionLookup } from '../delivery/session-lookup.js';

const USAGE =
  'usage: npm run dlq -- list [--limit N] [--json] | replay [--job ID ...] [--limit N] | purge --yes';

function printTable(letters: readonly DeadLetter[]): void {
  if (letters.length === 0) {
    process.stdout.write('the dead-letter queue is empty\n');
    return;
  }
  for (const letter of letters) {
    process.stdout.write(
      [
        letter.jobId,
        `session=${letter.authenticationId || '-'}`,
        `client=${letter.clientId || '-'}`,
        `${letter.channel || '-'} +${letter.countryCallingCode || '?'}`,
        `reason=${letter.reason}`,
        `attempts=${letter.attempts}`,
        `provider=${letter.provider || '-'}`,
        `at=${letter.deadLetteredAt || '-'}`,
        letter.expired ? 'EXPIRED' : `expires=${letter.expiresAt}`,
        letter.lastError ? `error="${letter.lastError}"` : '',
      ]
        .filter(Boolean)
        .join('  ') + '\n',
    );
  }
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    limit: { type: 'string', default: '1000' },
    job: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    yes: { type: 'boolean', default: false },
  },
});
const limit = Number(values.limit);
const command = positionals[0];
if (!command || !['list', 'replay', 'purge'].includes(command) || !Number.isInteger(limit) || limit < 1) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const config = loadConfigOrExit(() => loadCliConfig());
const connection = await connectToAnyNode(brokerSettingsFromEnv(config), 'otpflow-dlq');
// Only a replay reads the sessions: list and purge need no database.
const mongo =
  command === 'replay'
    ? await connectMongo(mongoSettingsFromEnv(config), createLogger({ service: 'dlq', level: 'warn' }))
    : undefined;
const queue = new DeadLetterQueue(
  connection,
  config.AMQP_PREFIX,
  mongo
    ? { keys: config.JOB_ENCRYPTION_KEYS, sessions: new MongoSessionLookup(mongo.getClient().db(mongo.name)) }
    : undefined,
);
try {
  if (command === 'list') {
    const letters = await queue.list(limit);
    if (values.json) process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
    else printTable(letters);
  } else if (command === 'replay') {
    const outcomes = await queue.replay({ limit, ...(values.job ? { jobIds: values.job } : {}) });
    for (const { jobId, outcome } of outcomes)
      if (outcome !== 'kept') process.stdout.write(`${jobId}  ${outcome}\n`);
    const replayed = outcomes.filter((item) => item.outcome === 'replayed').length;
    process.stdout.write(
      `replayed ${replayed}, dropped ${outcomes.filter((item) => item.outcome.startsWith('dropped')).length}\n`,
    );
  } else if (!values.yes) {
    process.stderr.write('purge deletes every dead letter: add --yes to confirm\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(`purged ${await queue.purge()} dead letters\n`);
  }
} finally {
  await connection.close();
  await mongo?.close();
}
