import { parseArgs } from 'node:util';

export const USAGE = `npm run soak -- [options]

  --minutes N          how long the load runs (default 10)
  --rate R             requests per second, all kinds together (default 20)
  --sample-seconds S   how often memory, CPU and latency are sampled (default 10)
  --gc-seconds S       how often each service's heap is read after a forced full GC, through the
                       inspector protocol (default 60; 0: never, and the services run without --inspect)
  --warmup-seconds S   samples before this are left out of the "after warm-up" memory slope (default 120)
  --drain-seconds S    longest wait for promised codes to reach the webhook after the load (default 60)
  --real-numbers N     distinct real mobile numbers, cycled (default 3000)
  --test-numbers N     distinct test numbers (TEST_NUMBERS), cycled (default 2000)
  --backend B          the soak FerretDB's backend: auto (PostgreSQL if the local one answers, else
                       SQLite, as scripts/services.sh), postgresql or sqlite (default auto)
  --rabbitmq-url URL   RabbitMQ (default amqp://guest:guest@127.0.0.1:5672; the soak uses its own prefix)
  --log-level L        LOG_LEVEL of the services (default info, as in production)
  --keep-logs          keep the services' logs (kept anyway when something failed)
  --no-build           do not run npm run build first
  --help`;

/**
 * The settings of a run that have no option: in the run's settings with the rest, so the report says
 * what it judged by.
 */
const FIXED = {
  /** How often every collection of the soak's database is counted. */
  countSeconds: 60,
  /** Requests in flight beyond rate × this many seconds: the system has stalled and the load stops. */
  stallSeconds: 60,
  /** A minute with answers for fewer seconds of the rate than this is partial: left out of the drift. */
  fullMinuteSeconds: 45,
};

export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '10' },
      rate: { type: 'string', default: '20' },
      'sample-seconds': { type: 'string', default: '10' },
      'gc-seconds': { type: 'string', default: '60' },
      'warmup-seconds': { type: 'string', default: '120' },
      'drain-seconds': { type: 'string', default: '60' },
      'real-numbers': { type: 'string', default: '3000' },
      'test-numbers': { type: 'string', default: '2000' },
      'rabbitmq-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672' },
      backend: { type: 'string', default: 'auto' },
      'log-level': { type: 'string', default: 'info' },
      'keep-logs': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!['auto', 'postgresql', 'sqlite'].includes(values.backend))
    throw new Error('--backend must be auto, postgresql or sqlite');
  const number = (name, min, max) => {
    const value = Number(values[name]);
    if (!(value >= min && value <= max)) throw new Error(`--${name} must be between ${min} and ${max}`);
    return value;
  };
  return {
    help: values.help,
    minutes: number('minutes', 0.1, 24 * 60),
    rate: number('rate', 0.1, 10_000),
    sampleSeconds: number('sample-seconds', 1, 600),
    gcSeconds: number('gc-seconds', 0, 3600),
    warmupSeconds: number('warmup-seconds', 0, 24 * 3600),
    drainSeconds: number('drain-seconds', 0, 3600),
    realNumbers: number('real-numbers', 1, 10_000_000),
    testNumbers: number('test-numbers', 1, 10_000),
    rabbitUrl: values['rabbitmq-url'],
    backend: values.backend,
    logLevel: values['log-level'],
    keepLogs: values['keep-logs'],
    build: !values['no-build'],
    ...FIXED,
  };
}
