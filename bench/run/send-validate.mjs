import { log } from './log.mjs';
import { SessionPool } from './sources.mjs';

/**
 * Send-code, then validate-code, against one server (`part`: ceiling or otpflow) at saturation and
 * (with `fixedRates`) at half of it. `run` is the bench run: its measurements, sources and names.
 */
export async function sendAndValidate(run, { part, urls, database, sendPath, validatePath, fixedRates }) {
  const { measurements, sources, infra } = run;
  const meta = { part, gateways: part === 'otpflow' ? urls.length : undefined };
  const queue = part === 'ceiling' ? `${run.ceilingPrefix}.send` : `${run.prefix}.send`;
  const pool = new SessionPool();
  const sendSource = sources.testSend(sendPath);
  const validateSource = sources.validate(validatePath, pool);
  const operation = (name, mode) => ({
    ...meta,
    id: `${part}.${name}.${mode}.${urls.length}`,
    operation: `${name}-code`,
  });

  await measurements.measureIdle(part === 'otpflow' ? 'gateway' : 'ceiling', urls);
  await measurements.prepare(database);
  const send = await measurements.saturation(operation('send', 'saturation'), database, urls, sendSource);
  // Jobs nobody consumes would pile up in the broker from one measurement to the next.
  await infra.purge(queue);
  if (fixedRates) {
    await measurements.prepare(database);
    await measurements.fixed(operation('send', 'fixed'), database, urls, send.throughput / 2, sendSource);
    await infra.purge(queue);
  }

  await measurements.prepare(database, pool);
  const validate = await measurements.saturation(
    operation('validate', 'saturation'),
    database,
    urls,
    validateSource,
  );
  validate.poolExhausted = pool.reused > 0;
  if (fixedRates) {
    await measurements.prepare(database, pool);
    await measurements.fixed(
      operation('validate', 'fixed'),
      database,
      urls,
      validate.throughput / 2,
      validateSource,
    );
  }
  await infra.purge(queue);
}

/**
 * The ceiling again, at otpflow's fixed rate (half otpflow's saturation throughput), so that both
 * servers' CPU per request can be set side by side at one rate and one way of loading: a Node
 * process answering ten times the requests in a second shares each wake-up of its event loop among
 * more of them, and costs less per request for that alone.
 */
export async function ceilingAtOtpflowRate(run, url) {
  const { measurements, sources } = run;
  log("ceiling at otpflow's rate");
  const pool = new SessionPool();
  for (const [operation, path] of [
    ['send', '/send'],
    ['validate', '/validate'],
  ]) {
    const ours = measurements.phases.find((phase) => phase.id === `otpflow.${operation}.fixed.1`);
    if (!ours?.targetRate) continue;
    await measurements.prepare(run.ceilingDatabase, operation === 'validate' ? pool : undefined);
    const source = operation === 'send' ? sources.testSend(path) : sources.validate(path, pool);
    const meta = {
      id: `ceiling.${operation}.matched.1`,
      part: 'ceiling',
      operation: `${operation}-code`,
      matchedTo: ours.id,
    };
    await measurements.fixed(meta, run.ceilingDatabase, [url], ours.targetRate, source);
    await run.infra.purge(`${run.ceilingPrefix}.send`);
  }
}
