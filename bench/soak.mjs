// otpflow's soak: `npm run soak [-- --minutes N]` (`-- --help` for every option). Not part of npm test.
//
// Starts a FerretDB of its own, the gateway, the dispatcher (webhook provider, pointed at a local HTTP
// server here) and the metrics service from their build output, drives a steady mixed load at a fixed
// rate for N minutes, samples every service's memory and CPU and the latency every ~10 s, and at the end
// prints and writes bench/results/soak-<timestamp>.json: answers by status, latency per minute (drift),
// memory growth per service, and codes promised vs delivered at the webhook. Everything it started
// (processes, queues, database) is removed at the end, also on Ctrl-C.
//
// One module per job in bench/soak/: options, services (their settings and processes), traffic and
// mix, load (the open loop and the drain), monitor (samples, memory after GC, collection sizes), logs
// and metrics, analysis and report (from the run's settings and readings), summary; run.mjs in order.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './lib/processes.mjs';
import { log } from './soak/log.mjs';
import { parseOptions, USAGE } from './soak/options.mjs';
import { Soak } from './soak/run.mjs';
import { summaryLines } from './soak/summary.mjs';

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (options.build) {
    log('building');
    const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const soak = new Soak(options);
  // Ctrl-C ends the load early; the run still reports what it has and removes what it started.
  const interrupt = () => {
    if (soak.stopping) return;
    soak.stopping = true;
    log('interrupted: stopping the load and cleaning up');
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let result;
  try {
    result = await soak.run();
    // An answer the traffic should not have got is worth its logs.
    if (result.answers.unexpected > 0) soak.failed = true;
  } catch (error) {
    soak.failed = true;
    throw error;
  } finally {
    await soak.cleanUp();
    if (soak.failed || options.keepLogs) log(`services' logs kept in ${soak.logDir}`);
    else rmSync(soak.logDir, { recursive: true, force: true });
  }
  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${result.runId}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${summaryLines(result, relative(process.cwd(), file)).join('\n')}\n`);
  // A soak that lost a code, stalled, or got an answer its traffic should not get is a failed soak.
  if (result.load.aborted || result.delivery.lost > 0 || result.answers.unexpected > 0) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
