// The fraud guard against a day-shaped mix: `npm run build && npm run fraud-sim [-- --seconds 150]`.
// Not part of `npm test`. Needs MONGODB_URL and RABBITMQ_URL (the running stores).
//
// Starts two gateways (FRAUD_MODE=enforce, windows compressed so a day's patterns fit in minutes) and
// a dispatcher whose webhook provider posts every SMS to this process, which reads the code out of it.
// Legitimate users over 20 countries enter 80 % of their codes, 1 to 4 s after the SMS; four attacks
// run beside them (see ATTACKS). It prints, per attack, the sends until the first refusal and the
// share refused after its first 50; for legitimate traffic, the share refused; and the guard's store
// commands per send (otpflow_fraud_store_commands_total of both gateways ÷ sends).
import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import {
  dayShape,
  LEGIT_COUNTRIES,
  pickWeighted,
  randomAddress,
  randomMobile,
  sequentialMobiles,
} from './lib/fraud-traffic.mjs';
import { argvOption as option } from './lib/options.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';
import { WebhookServer } from './lib/webhook-receiver.mjs';
import { webhookDispatcherEnv } from './lib/webhook-dispatcher.mjs';

const SECONDS = Number(option('seconds', '150'));
const VERBOSE = process.argv.includes('--verbose');
const LEGIT_RATE = Number(option('legit-rate', '8'));
const MONGODB_URL = option('mongodb-url', process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017/');
const RABBITMQ_URL = option('rabbitmq-url', process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
const API_KEY = 'fraud-sim-api-key-0123456789';
/** The high-cost ranges table of the run: the destinations pumping favours. */
const HIGH_COST = ['+371', '+234', '+63'];

const log = (message) =>
  process.stderr.write(`[fraud-sim ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

/**
 * The attacks: when they start and stop (share of the run), their rate, their numbers, their
 * addresses, and the share of their codes they enter.
 */
function attacks() {
  const sweep = sequentialMobiles('LV', 1000);
  const rotation = (() => {
    let host = 0;
    return () => `203.0.113.${(host++ % 254) + 1}`;
  })();
  return {
    'sequential burst (high-cost range)': {
      from: 0.15,
      to: 0.35,
      rate: 10,
      number: () => sweep.next().value,
      address: randomAddress,
      verifies: 0,
    },
    'slow drip across many ranges': {
      from: 0.05,
      to: 0.95,
      rate: 1.5,
      number: () => randomMobile('NG', 8),
      address: randomAddress,
      verifies: 0,
    },
    'validates some of its codes': {
      from: 0.3,
      to: 0.8,
      rate: 3,
      number: () => randomMobile('PH', 7),
      address: randomAddress,
      verifies: 0.1,
    },
    'address rotation (one network)': {
      from: 0.2,
      to: 0.95,
      rate: 2.5,
      number: () => randomMobile('GB', 6),
      address: rotation,
      verifies: 0,
    },
  };
}

/** Keeps the code of every SMS by authenticationId, and wakes whoever waits for it. */
class Inbox extends WebhookServer {
  constructor() {
    super();
    this.codes = new Map();
    this.waiting = new Map();
  }

  record(body) {
    const code = /\d{6}/.exec(body?.text ?? '')?.[0];
    const id = body?.authenticationId;
    if (code && id) {
      this.codes.set(id, code);
      this.waiting.get(id)?.(code);
      this.waiting.delete(id);
    }
    return `sim-${id ?? randomInt(1e9)}`;
  }

  codeFor(id, timeoutMs = 10_000) {
    const known = this.codes.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      setTimeout(() => resolve(undefined), timeoutMs).unref();
    });
  }
}

function gatewayEnv(port, database, prefix) {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    MONGODB_URL: database,
    RABBITMQ_URL,
    AMQP_PREFIX: prefix,
    OTEL_SDK_DISABLED: 'true',
    API_KEYS: `${API_KEY}:sim-client`,
    CODE_HASH_SECRET: 'fraud-sim-code-hash-secret-0123456789',
    CLIENT_RATE_LIMIT: '1000000',
    CLIENT_QUOTA: '1000000000',
    NUMBER_MAX_SENDS: '100000',
    FRAUD_MODE: 'enforce',
    // A day in minutes: a window of 10 minutes in buckets of a minute (longer than a code takes to be
    // entered on a loaded machine), blocks of a minute.
    FRAUD_WINDOW_SECONDS: '600',
    FRAUD_BUCKETS: '10',
    FRAUD_BLOCK_SECONDS: '60',
    FRAUD_MAX_BLOCK_SECONDS: '600',
    FRAUD_HIGH_COST_PREFIXES: HIGH_COST.join(','),
  };
}

async function main() {
  const run = `fraudsim_${Date.now().toString(36)}`;
  const database = new URL(MONGODB_URL);
  database.pathname = `/${run}`;
  const logDir = join(ROOT, 'bench', 'results', run);
  mkdirSync(logDir, { recursive: true });
  const inbox = await new Inbox().start();
  const ports = [await freePort(), await freePort(), await freePort()];
  const gateways = ports
    .slice(0, 2)
    .map((port, index) =>
      ServiceProcess.service(
        `gateway-${index}`,
        'gateway',
        gatewayEnv(port, database.toString(), `bench_${run}`),
        join(logDir, `gateway-${index}.log`),
      ),
    );
  const dispatcher = ServiceProcess.service(
    'dispatcher',
    'dispatcher',
    webhookDispatcherEnv({
      port: ports[2],
      mongoUrl: database.toString(),
      rabbitUrl: RABBITMQ_URL,
      prefix: `bench_${run}`,
      webhookUrl: `${inbox.url}/sms`,
      receiptSecret: 'fraud-sim-receipt-secret-0123',
    }),
    join(logDir, 'dispatcher.log'),
  );
  const urls = ports.slice(0, 2).map((port) => `http://127.0.0.1:${port}`);
  const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
  let turn = 0;
  const nextUrl = () => urls[turn++ % urls.length];

  /** One user (or bot): asks for a code; enters it with probability `verifies`. */
  async function attempt(stats, to, recipientIp, verifies) {
    const index = stats.sends++;
    let answer;
    try {
      answer = await fetch(`${nextUrl()}/v1/verifications`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ to, recipientIp, message: '{{code}} is your code' }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      stats.errors += 1;
      return;
    }
    const body = await answer.json().catch(() => ({}));
    if (answer.status === 403 || answer.status === 429) {
      if (body.code === 'FRAUD_BLOCKED' || body.code === 'FRAUD_THROTTLED') {
        stats.judged.add(index);
        stats.refused.push(index);
        return;
      }
    }
    stats.judged.add(index);
    if (answer.status !== 201) {
      stats.judged.delete(index);
      stats.otherAnswers[`${answer.status} ${body.code}`] =
        (stats.otherAnswers[`${answer.status} ${body.code}`] ?? 0) + 1;
      return;
    }
    if (Math.random() >= verifies) return;
    const code = await inbox.codeFor(body.id);
    if (!code) return;
    await sleep(1000 + randomInt(3000));
    // A check that fails (a busy store) is a code not entered, not the end of the run.
    const check = await fetch(`${nextUrl()}/v1/verifications/${body.id}/check`, {
      signal: AbortSignal.timeout(30_000),
      method: 'POST',
      headers,
      body: JSON.stringify({ code }),
    }).catch(() => undefined);
    if (check?.ok) stats.verified += 1;
  }

  const newStats = () => ({
    sends: 0,
    judged: new Set(),
    refused: [],
    verified: 0,
    errors: 0,
    otherAnswers: {},
  });
  const legit = newStats();
  const attackPlan = attacks();
  const attackStats = Object.fromEntries(Object.keys(attackPlan).map((name) => [name, newStats()]));

  try {
    dispatcher.start();
    for (const gateway of gateways) gateway.start();
    await dispatcher.waitReady(`http://127.0.0.1:${ports[2]}`, 120_000);
    for (const url of urls) await gateways[urls.indexOf(url)].waitReady(url, 120_000);
    log(
      `${SECONDS} s of traffic: legitimate at up to ${LEGIT_RATE}/s, ${Object.keys(attackPlan).length} attacks`,
    );

    const inFlight = new Set();
    const launch = (promise) => {
      inFlight.add(promise);
      promise.finally(() => inFlight.delete(promise));
    };
    const started = performance.now();
    const tickMs = 100;
    const carry = new Map();
    for (;;) {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= SECONDS) break;
      const due = (key, rate) => {
        const owed = (carry.get(key) ?? 0) + (rate * tickMs) / 1000;
        const whole = Math.floor(owed);
        carry.set(key, owed - whole);
        return whole;
      };
      for (let n = due('legit', LEGIT_RATE * dayShape(elapsed, SECONDS)); n > 0; n -= 1)
        launch(attempt(legit, randomMobile(pickWeighted(LEGIT_COUNTRIES)), randomAddress(), 0.8));
      for (const [name, plan] of Object.entries(attackPlan)) {
        const share = elapsed / SECONDS;
        if (share < plan.from || share >= plan.to) continue;
        for (let n = due(name, plan.rate); n > 0; n -= 1)
          launch(attempt(attackStats[name], plan.number(), plan.address(), plan.verifies));
      }
      await sleep(tickMs);
    }
    await Promise.allSettled([...inFlight]);

    const commands = await Promise.all(urls.map(guardCommands));
    const totalSends = legit.sends + Object.values(attackStats).reduce((sum, stats) => sum + stats.sends, 0);
    const report = {
      seconds: SECONDS,
      attacks: Object.fromEntries(
        Object.entries(attackStats).map(([name, stats]) => {
          const refused = new Set(stats.refused);
          // Over the sends the guard judged (allowed or refused): a 503 of a busy store is neither.
          const after = [...stats.judged].filter((index) => index >= 50).length;
          const refusedAfter = [...refused].filter((index) => index >= 50).length;
          return [
            name,
            {
              sends: stats.sends,
              sendsUntilFirstRefusal: stats.refused.length ? Math.min(...stats.refused) : null,
              refusedAfterFirst50: after > 0 ? round(refusedAfter / after) : null,
              codesEntered: stats.verified,
              ...(VERBOSE
                ? {
                    allowedAfter50: [...stats.judged]
                      .filter((i) => i >= 50 && !refused.has(i))
                      .sort((x, y) => x - y),
                  }
                : {}),
              otherAnswers: stats.otherAnswers,
            },
          ];
        }),
      ),
      legitimate: {
        sends: legit.sends,
        refused: legit.refused.length,
        judged: legit.judged.size,
        refusedShare: round(legit.refused.length / Math.max(1, legit.judged.size)),
        verified: legit.verified,
        otherAnswers: legit.otherAnswers,
      },
      decisions: await Promise.all(urls.map(decisionsOf)),
      guardStoreCommandsPerSend: round(commands.reduce((a, b) => a + b, 0) / Math.max(1, totalSends)),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await Promise.allSettled([...gateways, dispatcher].map((service) => service.stop()));
    await inbox.stop?.();
    const mongo = await new MongoClient(database.toString()).connect();
    await mongo
      .db()
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
  }
}

const round = (value) => Math.round(value * 10_000) / 10_000;

/** The guard's decisions on one gateway, by action and reason (otpflow_fraud_decisions_total). */
async function decisionsOf(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const decisions = {};
  for (const [, labels, value] of text.matchAll(/^otpflow_fraud_decisions_total\{([^}]*)\} (\d+)/gm))
    decisions[labels.replace(/"/g, '')] = Number(value);
  return decisions;
}

async function guardCommands(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^otpflow_fraud_store_commands_total (\d+)/m.exec(text)?.[1] ?? 0);
}

await main();
