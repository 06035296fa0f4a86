import { testNumber } from '../lib/documents.mjs';
import { endToEnd } from './end-to-end.mjs';
import { log } from './log.mjs';
import { ceilingAtOtpflowRate, sendAndValidate } from './send-validate.mjs';
import { BENCH_HEADERS, MESSAGE, SEND_PATH, VALIDATE_PATH } from '../lib/requests.mjs';

/** One real send job's size, for the ceiling's messages: send one code and look at what was queued. */
async function calibrate(run, gatewayUrl) {
  const response = await fetch(`${gatewayUrl}${SEND_PATH}`, {
    method: 'POST',
    headers: BENCH_HEADERS,
    body: JSON.stringify({ phoneNumber: testNumber(0, run.options.testNumbers), message: MESSAGE }),
  });
  if (response.status !== 200)
    throw new Error(`calibration send-code answered ${response.status}: ${await response.text()}`);
  const bytes = await run.infra.takeMessageSize(`${run.prefix}.send`);
  if (bytes === undefined) throw new Error('the calibration send job was not in the send queue');
  log(`a send job is ${bytes} bytes`);
  return bytes;
}

/** The parts of a run the options ask for, in order: ceiling, gateway, scaling, end to end. */
export async function runStages(run) {
  const { options, services } = run;
  const parts = options.parts;
  const gatewayUrl = await services.startGateway();
  run.messageBytes = await calibrate(run, gatewayUrl);
  const otpflow = {
    part: 'otpflow',
    sendPath: SEND_PATH,
    validatePath: VALIDATE_PATH,
    database: run.database,
  };

  let ceiling;
  if (parts.has('ceiling')) {
    log('ceiling');
    const database = run.ceilingDatabase;
    ceiling = await services.startCeiling({
      database,
      prefix: run.ceilingPrefix,
      messageBytes: run.messageBytes,
      poolSize: run.serviceDefaults.gatewayMongoPoolSize,
    });
    run.ceilingAttemptStrategy = ceiling.attemptStrategy;
    run.ceilingSendEvent = ceiling.sendEvent;
    await sendAndValidate(run, {
      part: 'ceiling',
      urls: [ceiling.url],
      database,
      sendPath: '/send',
      validatePath: '/validate',
      fixedRates: true,
    });
  }

  if (parts.has('gateway')) {
    log('otpflow, 1 gateway');
    await sendAndValidate(run, { ...otpflow, urls: [gatewayUrl], fixedRates: true });
    if (ceiling) await ceilingAtOtpflowRate(run, ceiling.url);
  }
  await ceiling?.child.stop();

  if (parts.has('scaling')) {
    for (const count of options.gateways.filter((count) => count > 1)) {
      while (services.gateways.length < count) await services.startGateway();
      log(`otpflow, ${count} gateways`);
      const urls = services.gateways.slice(0, count).map((gateway) => gateway.url);
      await sendAndValidate(run, { ...otpflow, urls, fixedRates: false });
    }
    // The end-to-end figures use one gateway, as the figures above do.
    await services.stopExtraGateways();
  }

  if (parts.has('e2e')) await endToEndSeries(run, gatewayUrl);
}

/** End to end with 1, 2, 4… dispatchers at saturation, and the first count at half its rate too. */
async function endToEndSeries(run, gatewayUrl) {
  const { options, services } = run;
  await run.infra.purge(`${run.prefix}.send`);
  // End to end is the whole platform: the metrics service turns the run's events into metrics.
  await services.startMetrics();
  for (const count of options.dispatchers) {
    while (services.dispatchers.length < count) await services.startDispatcher();
    log(`end to end, ${count} dispatcher(s)`);
    const meta = { part: 'e2e', dispatchers: count, gateways: 1 };
    const saturated = await endToEnd(
      run,
      { ...meta, id: `e2e.saturation.${count}`, mode: 'saturation' },
      { urls: [gatewayUrl] },
    );
    if (count !== options.dispatchers[0]) continue;
    const rate = Math.max(1, saturated.codesPerSecond / 2);
    await endToEnd(
      run,
      { ...meta, id: `e2e.fixed.${count}`, mode: 'fixed-rate', targetRate: rate },
      { urls: [gatewayUrl], rate },
    );
  }
}
