// Delivery receipts on this machine: `npm run build && node bench/receipts.mjs [--count N]
// [--concurrency C] [--mongodb-url URL] [--rabbitmq-url URL]`. Not part of `npm test`.
//
// One built dispatcher (its own process, SMS_PROVIDERS=webhook) sends N codes to a local "SMS
// gateway"; the bench then posts each code's signed delivery receipt C at a time, and measures:
//   - receipt → answer: the POST until the dispatcher's 204 (authenticate, the conditional update of
//     the delivery record, the event handed to RabbitMQ);
//   - receipt → event: the POST until the code.delivered event arrives on a queue bound to the events
//     exchange (what the callbacks and the metrics service consume next);
//   - the same receipts again: repeats, which change nothing and emit nothing.
// The webhook's receipts take the same recorder and store path as every provider's (the verifiers
// differ by one signature check), so the figures hold for Vonage, Octopush, Twilio and SMPP too.
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { topologyNames } from '@otpflow/amqp';
import { DEV_JOB_ENCRYPTION_KEYS, encodeSendJob, jobKeysSchema } from '@otpflow/contracts';
import amqplib from 'amqplib';
import { MongoClient } from 'mongodb';
import { latencySummary } from './lib/latency.mjs';
import { argvOption as option } from './lib/options.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';
import { benchTopology, deleteTopology } from './lib/topology.mjs';
import { WebhookServer } from './lib/webhook-receiver.mjs';
import { webhookDispatcherEnv } from './lib/webhook-dispatcher.mjs';

const RECEIPT_SECRET = 'bench-webhook-receipt-secret-0123';

const COUNT = Number(option('count', '2000'));
const CONCURRENCY = Number(option('concurrency', '16'));
const MONGODB_URL = option('mongodb-url', process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017/');
const RABBITMQ_URL = option('rabbitmq-url', process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');

const log = (message) =>
  process.stderr.write(`[receipts ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

/** Accepts every SMS, answering the message id the receipts will name. */
class Gateway extends WebhookServer {
  constructor() {
    super();
    this.accepted = 0;
  }

  record(body) {
    this.accepted += 1;
    return `bench-${body?.authenticationId ?? randomUUID()}`;
  }
}

/** Runs `task` over `items`, `concurrency` at a time. */
async function pool(items, concurrency, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

function signedReceipt(id) {
  const body = JSON.stringify({ id, status: 'delivered' });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', RECEIPT_SECRET).update(`${timestamp}.${body}`).digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-otpflow-timestamp': timestamp,
      'x-otpflow-signature': `sha256=${signature}`,
    },
  };
}

async function main() {
  const run = `receipts_${Date.now().toString(36)}`;
  const prefix = `bench_${run}`;
  const database = new URL(MONGODB_URL);
  database.pathname = `/${run}`;
  const names = topologyNames(prefix);
  const mongo = await new MongoClient(database.toString()).connect();
  const broker = await amqplib.connect(RABBITMQ_URL);
  const channel = await broker.createConfirmChannel();
  const gateway = await new Gateway().start();
  const port = await freePort();
  const logDir = join(ROOT, 'bench', 'results', run);
  mkdirSync(logDir, { recursive: true });
  const dispatcher = ServiceProcess.service(
    'dispatcher',
    'dispatcher',
    webhookDispatcherEnv({
      port,
      mongoUrl: database.toString(),
      rabbitUrl: RABBITMQ_URL,
      prefix,
      webhookUrl: `${gateway.url}/sms`,
      receiptSecret: RECEIPT_SECRET,
    }),
    join(logDir, 'dispatcher.log'),
  );
  const url = `http://127.0.0.1:${port}`;
  const eventsQueue = `${prefix}.bench.delivered`;
  try {
    dispatcher.start();
    await dispatcher.waitReady(url);

    log(`sending ${COUNT} codes`);
    const keys = jobKeysSchema.parse(DEV_JOB_ENCRYPTION_KEYS);
    const jobs = [];
    for (let index = 0; index < COUNT; index += 1) {
      const now = Date.now();
      const fields = {
        jobId: randomUUID(),
        authenticationId: randomUUID(),
        clientId: 'bench',
        channel: 'sms',
        countryCallingCode: '34',
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 600_000).toISOString(),
        options: {},
        allowedChannels: ['sms'],
        test: false,
      };
      const secret = {
        to: `+3461${String(index).padStart(7, '0')}`,
        text: '482913 is your code',
        code: '482913',
      };
      channel.publish(names.jobsExchange, names.sendRoutingKey, encodeSendJob(fields, secret, keys), {
        persistent: true,
      });
      jobs.push(fields);
    }
    await channel.waitForConfirms();
    const deliveries = mongo.db().collection('deliveries');
    for (;;) {
      const sent = await deliveries.countDocuments({ status: 'sent' });
      if (sent >= COUNT) break;
      await sleep(250);
    }

    await channel.assertQueue(eventsQueue, { durable: false, autoDelete: false });
    await channel.bindQueue(eventsQueue, names.eventsExchange, 'code.delivered');
    const posted = new Map();
    const toEvent = [];
    const events = await broker.createChannel();
    await events.consume(
      eventsQueue,
      (message) => {
        if (!message) return;
        const event = JSON.parse(message.content.toString('utf8'));
        const started = posted.get(event.authenticationId);
        if (started !== undefined) toEvent.push(performance.now() - started);
        events.ack(message);
      },
      { noAck: false },
    );

    let unavailable = 0;
    const post = async (job, samples) => {
      const { body, headers } = signedReceipt(`bench-${job.authenticationId}`);
      const started = performance.now();
      if (!posted.has(job.authenticationId)) posted.set(job.authenticationId, started);
      // A 503 (the store could not take it) is sent again, as a vendor would: the latency counts it.
      for (let attempt = 1; ; attempt += 1) {
        const response = await fetch(`${url}/v1/receipts/webhook`, { method: 'POST', headers, body });
        await response.arrayBuffer();
        if (response.status === 204) break;
        if (response.status !== 503 || attempt === 5) throw new Error(`receipt answered ${response.status}`);
        unavailable += 1;
        await sleep(100 * attempt);
      }
      samples.push(performance.now() - started);
    };

    log(`posting ${COUNT} receipts, ${CONCURRENCY} at a time`);
    const first = [];
    const firstStarted = performance.now();
    await pool(jobs, CONCURRENCY, (job) => post(job, first));
    const firstSeconds = (performance.now() - firstStarted) / 1000;
    const deadline = Date.now() + 30_000;
    while (toEvent.length < COUNT && Date.now() < deadline) await sleep(100);

    log('posting them again (repeats)');
    const repeats = [];
    const repeatStarted = performance.now();
    await pool(jobs, CONCURRENCY, (job) => post(job, repeats));
    const repeatSeconds = (performance.now() - repeatStarted) / 1000;
    await sleep(1000);

    const delivered = await deliveries.countDocuments({ status: 'delivered' });
    const result = {
      run,
      count: COUNT,
      concurrency: CONCURRENCY,
      store: MONGODB_URL.replace(/\/\/[^@]*@/, '//'),
      receiptToAnswerMs: latencySummary(first),
      receiptsPerSecond: Math.round(COUNT / firstSeconds),
      receiptToEventMs: latencySummary(toEvent),
      eventsSeen: toEvent.length,
      repeatToAnswerMs: latencySummary(repeats),
      repeatsPerSecond: Math.round(COUNT / repeatSeconds),
      deliveredRecords: delivered,
      answeredUnavailable: unavailable,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await dispatcher.stop();
    await gateway.close();
    await deleteTopology(broker, benchTopology(prefix, [eventsQueue])).catch(() => undefined);
    await broker.close().catch(() => undefined);
    await mongo
      .db()
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
  }
}

await main();
