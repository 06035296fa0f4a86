// The fraud guard against a day-shaped mix: `npm run build && npm run fraud-sim [-- --seconds 150]`.
// Not part of `npm test`. Needs MONGODB_URL and RABBITMQ_URL (the running stores).
//
// Starts two gateways (FRAUD_MODE=enforce, windows compressed so a day's patterns fit in minutes) and
// a dispatcher whose webhook provider posts every SMS to this process, which reads the code out of it.
// Legitimate users over 20 countries enter 80 % of their codes, 1 to 4 s after the SMS; four attacks
// run beside them (see ATTACKS). It prints, per attack, the sends until the first refusal and the
// share refused after its first 50 (the run's settings.judgedAfter); for legitimate traffic, the share refused; and the guard's store
// commands per send (otpflow_fraud_store_commands_total of both gateways ÷ sends).
import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { attacks } from './fraud-sim/attacks.mjs';
import { Inbox } from './fraud-sim/inbox.mjs';
import { newStats, simulationReport } from './fraud-sim/report.mjs';
import { API_KEY, CLIENT_ID, gatewayEnv, simulationSettings } from './fraud-sim/settings.mjs';
import { RuleWatcher } from './lib/fraud-attribution.mjs';
import {
  dayShape,
  LEGIT_COUNTRIES,
  pickWeighted,
  randomAddress,
  randomMobile,
} from './lib/fraud-traffic.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';
import { removeBenchTopology } from './lib/topology.mjs';
import { webhookDispatcherEnv } from './lib/webhook-dispatcher.mjs';

const log = (message) =>
  process.stderr.write(`[fraud-sim ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function main() {
  const run = `fraudsim_${Date.now().toString(36)}`;
  const settings = simulationSettings();
  const database = new URL(settings.mongoUrl);
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
        gatewayEnv(settings, { port, database: database.toString(), prefix: `bench_${run}` }),
        join(logDir, `gateway-${index}.log`),
      ),
    );
  const dispatcher = ServiceProcess.service(
    'dispatcher',
    'dispatcher',
    webhookDispatcherEnv({
      port: ports[2],
      mongoUrl: database.toString(),
      rabbitUrl: settings.rabbitUrl,
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
        stats.refusals.push({
          at: Date.now(),
          to,
          address: recipientIp,
          throttled: body.code === 'FRAUD_THROTTLED',
        });
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
    if (!code) {
      stats.smsTooLate += 1;
      return;
    }
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

  const legit = newStats();
  const attackPlan = attacks();
  const attackStats = Object.fromEntries(Object.keys(attackPlan).map((name) => [name, newStats()]));

  const mongo = await new MongoClient(database.toString()).connect();
  const rules = new RuleWatcher(mongo.db()).start();
  try {
    dispatcher.start();
    for (const gateway of gateways) gateway.start();
    await dispatcher.waitReady(`http://127.0.0.1:${ports[2]}`, 120_000);
    for (const url of urls) await gateways[urls.indexOf(url)].waitReady(url, 120_000);
    log(
      `${settings.seconds} s of traffic: legitimate at up to ${settings.legitRate}/s, ${Object.keys(attackPlan).length} attacks`,
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
      if (elapsed >= settings.seconds) break;
      const due = (key, rate) => {
        const owed = (carry.get(key) ?? 0) + (rate * tickMs) / 1000;
        const whole = Math.floor(owed);
        carry.set(key, owed - whole);
        return whole;
      };
      for (let n = due('legit', settings.legitRate * dayShape(elapsed, settings.seconds)); n > 0; n -= 1)
        launch(
          attempt(
            legit,
            randomMobile(pickWeighted(LEGIT_COUNTRIES)),
            randomAddress(),
            settings.legitVerifies,
          ),
        );
      for (const [name, plan] of Object.entries(attackPlan)) {
        const share = elapsed / settings.seconds;
        if (share < plan.from || share >= plan.to) continue;
        for (let n = due(name, plan.rate); n > 0; n -= 1)
          launch(attempt(attackStats[name], plan.number(), plan.address(), plan.verifies));
      }
      await sleep(tickMs);
    }
    await Promise.allSettled([...inFlight]);

    const explain = (refusal) => rules.explain(refusal, CLIENT_ID);
    const report = await simulationReport({ settings, urls, legit, attackStats, explain });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    rules.stop();
    await Promise.allSettled([...gateways, dispatcher].map((service) => service.stop()));
    await inbox.close();
    // The run's queues go with it: quorum queues left on a shared broker keep their files open, and
    // enough runs' worth exhausted a broker's 1,024 descriptors here.
    await removeBenchTopology(settings.rabbitUrl, `bench_${run}`).catch(() => undefined);
    await mongo
      .db()
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
  }
}

await main();
