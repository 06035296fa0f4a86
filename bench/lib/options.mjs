import { parseArgs } from 'node:util';

const list = (value) =>
  String(value)
    .split(',')
    .map((item) => Number(item.trim()))
    .filter((item) => Number.isInteger(item) && item > 0);

const ATTEMPT_STRATEGIES = ['auto', 'conditional-update', 'claims'];

/**
 * `--ceiling-attempts`: how the ceiling's validate-code takes an attempt. `auto` (the default) does as
 * the gateway's ATTEMPT_STRATEGY=auto: one conditional update where the store applies it atomically,
 * else a read and a claim's insert, so the ceiling keeps the guarantee the gateway must keep;
 * `conditional-update` forces the one command (unsafe on FerretDB: the older figures' ceiling).
 */
export const CEILING_OPTIONS = {
  'ceiling-attempts': { type: 'string', default: 'auto' },
  'ceiling-event': { type: 'boolean', default: false },
};
/**
 * `--ceiling-event`: the ceiling's send-code also publishes a `code.requested` event after the job's
 * confirm, as the gateway did until its job became the event itself (2026-12-02, bench/findings.md):
 * for comparisons with the pages before. Off by default: the ceiling of issue 13's goal publishes
 * once, as the gateway now does.
 */
export function ceilingEvent(values) {
  return values['ceiling-event'] === true;
}

export function ceilingAttempts(values) {
  const strategy = values['ceiling-attempts'];
  if (!ATTEMPT_STRATEGIES.includes(strategy))
    throw new Error(`--ceiling-attempts must be one of ${ATTEMPT_STRATEGIES.join(', ')}`);
  return strategy;
}

/**
 * The options of the scripts that load one gateway process by itself (profile.mjs, http-layer.mjs),
 * for node:util's parseArgs, and what they mean.
 */
export const SINGLE_GATEWAY_LOAD_OPTIONS = {
  duration: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '3' },
  connections: { type: 'string', default: '16' },
};
export function singleGatewayLoad(values) {
  return {
    durationSeconds: Number(values.duration),
    warmupSeconds: Number(values.warmup),
    connections: Number(values.connections),
  };
}

/** `--name value` from the command line, or `fallback` (the small scripts' options, unvalidated). */
export function argvOption(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

export const USAGE = `npm run bench -- [options]

  --duration S        seconds each measurement runs (default 15)
  --warmup S          seconds of unmeasured load before each saturation measurement (default 3)
  --connections N     connections for saturation (default 16)
  --gateways LIST     gateway process counts for the scaling figures (default 1,2,4)
  --dispatchers LIST  dispatcher process counts for the end-to-end figures (default 1,2,4)
  --drain S           longest wait for the codes still queued after an end-to-end run (default 60)
  --test-numbers N    TEST_NUMBERS entries given to the gateway (default 5000)
  --sessions N        pending sessions in the store when a validate-code measurement starts (default 10000)
  --log-level L       LOG_LEVEL of the services (default info, as in production)
  --mongodb-url URL   the MongoDB-compatible server (default mongodb://127.0.0.1:27017)
  --rabbitmq-url URL  RabbitMQ (default amqp://guest:guest@127.0.0.1:5672)
  --ceiling-attempts S  the ceiling's validate-code: auto (as the gateway's ATTEMPT_STRATEGY),
                      conditional-update or claims (default auto)
  --ceiling-event     the ceiling's send-code also publishes the code's event, as the gateway did before 2026-12-02
  --only LIST         run only these parts: ceiling,gateway,scaling,e2e (default all)
  --report PATH       where the report goes (default docs/BENCHMARKS.md; "none" to skip it)
  --no-build          do not run npm run build first
  --keep              keep the run's databases and queues
  --help`;

/** The settings of a run that have no option; the results state them with the rest. */
export const FIXED_SETTINGS = {
  /** How long the machine is watched idle before anything starts. */
  idleMachineSeconds: 5,
  /** How long a server is watched idle before a series, for its idle CPU and background store commands. */
  backgroundSeconds: 5,
  /**
   * What the report judges by: otpflow's throughput at least this share of the ceiling's; the
   * gateway's CPU per request at most this many times the ceiling process's; a measurement during
   * which other processes used more than this share of one core is called disturbed.
   */
  goals: { throughputRatio: 0.8, cpuRatio: 2, otherBusyShare: 0.15 },
};

/** The command-line options, with defaults that finish the whole run in about 6-8 minutes on 2 cores. */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '16' },
      gateways: { type: 'string', default: '1,2,4' },
      dispatchers: { type: 'string', default: '1,2,4' },
      drain: { type: 'string', default: '60' },
      'test-numbers': { type: 'string', default: '5000' },
      sessions: { type: 'string', default: '10000' },
      'log-level': { type: 'string', default: 'info' },
      'mongodb-url': { type: 'string', default: 'mongodb://127.0.0.1:27017' },
      'rabbitmq-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672' },
      ...CEILING_OPTIONS,
      only: { type: 'string', default: 'ceiling,gateway,scaling,e2e' },
      report: { type: 'string', default: 'docs/BENCHMARKS.md' },
      'no-build': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const testNumbers = Number(values['test-numbers']);
  if (!(testNumbers >= 1 && testNumbers <= 10_000)) throw new Error('--test-numbers must be 1..10000');
  return {
    help: values.help,
    durationSeconds: Number(values.duration),
    warmupSeconds: Number(values.warmup),
    connections: Number(values.connections),
    gateways: list(values.gateways),
    dispatchers: list(values.dispatchers),
    drainSeconds: Number(values.drain),
    testNumbers,
    sessions: Number(values.sessions),
    logLevel: values['log-level'],
    mongoUrl: values['mongodb-url'],
    rabbitUrl: values['rabbitmq-url'],
    ceilingAttempts: ceilingAttempts(values),
    ceilingEvent: ceilingEvent(values),
    parts: new Set(values.only.split(',').map((part) => part.trim())),
    report: values.report,
    build: !values['no-build'],
    keep: values.keep,
    ...FIXED_SETTINGS,
  };
}
