// Where the gateway's CPU time goes on its two hot paths: `node bench/profile.mjs [--duration 10]`.
// For send-code, then validate-code, a fresh gateway runs under `node --cpu-prof` at saturation; the
// script prints the profile's self time by package and by function, and writes it to
// bench/results/profile_<time>/profile.json (the .cpuprofile files stay beside it, for Chrome DevTools).
// bench/findings.md is written from its output.
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { summariseCpuProfile } from './lib/cpu-profile.mjs';
import { BENCH_API_KEY, BENCH_CODE, CODE_HASH_SECRET, gatewayEnv, testNumber } from './lib/documents.mjs';
import { Infrastructure } from './lib/infrastructure.mjs';
import { saturate } from './lib/load.mjs';
import { freePort, ROOT, ServiceProcess } from './lib/processes.mjs';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    sessions: { type: 'string', default: '10000' },
    'log-level': { type: 'string', default: 'info' },
    'mongodb-url': { type: 'string', default: 'mongodb://127.0.0.1:27017' },
    'rabbitmq-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672' },
  },
});
const durationSeconds = Number(values.duration);
const warmupSeconds = Number(values.warmup);
const connections = Number(values.connections);
const headers = {
  authorization: `Bearer ${BENCH_API_KEY}`,
  'content-type': 'application/json',
  accept: 'application/json',
};

const stamp = new Date().toISOString().replaceAll(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');
const runId = `profile_${stamp}`;
const database = `${runId}_otpflow`;
const prefix = `${runId}.otp`;
const outDir = join(ROOT, 'bench/results', runId);
mkdirSync(outDir, { recursive: true });

const infra = await new Infrastructure({
  mongoUrl: values['mongodb-url'],
  rabbitUrl: values['rabbitmq-url'],
  codeHashSecret: CODE_HASH_SECRET,
}).connect();
infra.databaseUrl(database);
infra.usePrefix(prefix);

async function profile(operation) {
  await infra.resetCollections(database);
  let ids = [];
  if (operation === 'validate') ids = await infra.prefillSessions(database, Number(values.sessions));
  const port = await freePort();
  const profileDir = join(outDir, operation);
  const gateway = ServiceProcess.service(
    `gateway-${operation}`,
    'gateway',
    gatewayEnv({
      port,
      mongoUrl: infra.databaseUrl(database),
      rabbitUrl: values['rabbitmq-url'],
      prefix,
      logLevel: values['log-level'],
      testNumbers: 5000,
    }),
    join(outDir, `gateway-${operation}.log`),
    { cpuProfileDir: profileDir },
  ).start();
  const url = `http://127.0.0.1:${port}`;
  await gateway.waitReady(url);

  let n = 0;
  const source =
    operation === 'send'
      ? {
          path: '/one-time-password-sms/v1/send-code',
          headers,
          nextBody: () =>
            JSON.stringify({ phoneNumber: testNumber(n++, 5000), message: '{{code}} is your Cool App code' }),
        }
      : {
          path: '/one-time-password-sms/v1/validate-code',
          headers,
          nextBody: () => JSON.stringify({ authenticationId: ids[n++ % ids.length], code: BENCH_CODE }),
        };
  await saturate({ urls: [url], connections, durationSeconds: warmupSeconds, source });
  const load = await saturate({ urls: [url], connections, durationSeconds, source });
  await gateway.stop();
  await infra.purge(`${prefix}.send`);
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  return {
    operation,
    throughput: load.throughput,
    ok: load.ok,
    statusCodes: load.statusCodes,
    cpuProfile: file
      ? { file: relative(ROOT, join(profileDir, file)), ...summariseCpuProfile(join(profileDir, file)) }
      : undefined,
  };
}

const results = [];
try {
  for (const operation of ['send', 'validate']) {
    process.stderr.write(`profiling ${operation}-code for ${durationSeconds} s\n`);
    results.push(await profile(operation));
  }
} finally {
  await infra.cleanUp().catch(() => undefined);
  await infra.close();
}

const lines = [];
for (const result of results) {
  lines.push(`## ${result.operation}-code: ${result.throughput} req/s under the profiler`);
  if (result.cpuProfile) {
    const { busyMs, idleMs, byOwner, byFunction } = result.cpuProfile;
    lines.push('', `CPU profile (${busyMs} ms busy, ${idleMs} ms idle): self time by owner`);
    for (const entry of byOwner) lines.push(`- ${entry.share}% ${entry.name}`);
    lines.push('', 'by function');
    for (const entry of byFunction) lines.push(`- ${entry.share}% ${entry.name}`);
  }
  lines.push('');
}
process.stdout.write(`${lines.join('\n')}\n`);
const file = join(outDir, 'profile.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`wrote ${relative(ROOT, file)}\n`);
