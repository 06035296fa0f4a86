/**
 * The dead-letter queue CLI, for the send path's dead letters (the default) or the callbacks':
 *   npm run dlq -- [--queue send|callbacks] list [--limit N] [--json]
 *   npm run dlq -- [--queue send|callbacks] replay [--job ID ...] [--limit N]
 *   npm run dlq -- [--queue send|callbacks] purge --yes
 * A send job whose code expired or whose session ended is dropped, not sent; a callback whose
 * endpoint was deleted, disabled or unsubscribed likewise. Reads RABBITMQ_URL (one node or several),
 * the RABBITMQ_TLS_* files and AMQP_PREFIX like the services; a replay also MONGODB_URL (the sessions,
 * or the endpoints) and, for send jobs, JOB_ENCRYPTION_KEYS (each replayed job is opened and signed).
 */
import { parseArgs } from 'node:util';
import { brokerSettingsFromEnv, connectToAnyNode } from '@otpflow/amqp';
import { loadConfigOrExit } from '@otpflow/lifecycle';
import { connectMongo, mongoSettingsFromEnv, WebhookEndpoints } from '@otpflow/mongo';
import { createLogger } from '@otpflow/telemetry';
import type { Db } from 'mongodb';
import type { ChannelModel } from 'amqplib';
import { CallbackDeadLetterQueue } from './callback-dead-letters.js';
import { loadCliConfig, type CliConfig } from './config.js';
import { DeadLetterQueue } from './dead-letters.js';
import { callbackLetterLine, printLetters, printReplay, sendLetterLine } from './dlq-output.js';
import { MongoSessionLookup } from '../delivery/session-lookup.js';

const USAGE =
  'usage: npm run dlq -- [--queue send|callbacks] list [--limit N] [--json] | replay [--job ID ...] [--limit N] | purge --yes';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    queue: { type: 'string', default: 'send' },
    limit: { type: 'string', default: '1000' },
    job: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    yes: { type: 'boolean', default: false },
  },
});
const limit = Number(values.limit);
const command = positionals[0];
const which = values.queue;
if (
  !command ||
  !['list', 'replay', 'purge'].includes(command) ||
  (which !== 'send' && which !== 'callbacks') ||
  !Number.isInteger(limit) ||
  limit < 1
) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

/** The chosen queue, with what its replay reads (nothing for list and purge), and its listing. */
function deadLetterQueue(config: CliConfig, connection: ChannelModel, db: Db | undefined) {
  if (which === 'callbacks') {
    const queue = new CallbackDeadLetterQueue(
      connection,
      config.AMQP_PREFIX,
      db ? { endpoints: new WebhookEndpoints(db) } : undefined,
    );
    return {
      queue,
      list: async () => printLetters(await queue.list(limit), callbackLetterLine, values.json),
    };
  }
  const queue = new DeadLetterQueue(
    connection,
    config.AMQP_PREFIX,
    db ? { keys: config.JOB_ENCRYPTION_KEYS, sessions: new MongoSessionLookup(db) } : undefined,
  );
  return { queue, list: async () => printLetters(await queue.list(limit), sendLetterLine, values.json) };
}

const config = loadConfigOrExit(() => loadCliConfig());
const connection = await connectToAnyNode(brokerSettingsFromEnv(config), 'otpflow-dlq');
// Only a replay reads the database: list and purge need none.
const mongo =
  command === 'replay'
    ? await connectMongo(mongoSettingsFromEnv(config), createLogger({ service: 'dlq', level: 'warn' }))
    : undefined;
const { queue, list } = deadLetterQueue(config, connection, mongo?.getClient().db(mongo.name));
try {
  if (command === 'list') {
    await list();
  } else if (command === 'replay') {
    printReplay(await queue.replay({ limit, ...(values.job ? { jobIds: values.job } : {}) }));
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
