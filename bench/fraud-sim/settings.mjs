import { argvOption as option } from '../lib/options.mjs';

/** The run's settings, from the command line and the environment; the report states them. */
export function simulationSettings() {
  return {
    seconds: Number(option('seconds', '150')),
    legitRate: Number(option('legit-rate', '8')),
    verbose: process.argv.includes('--verbose'),
    mongoUrl: option('mongodb-url', process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017/'),
    rabbitUrl: option('rabbitmq-url', process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672'),
    /** The share of their codes legitimate users enter. */
    legitVerifies: 0.8,
    /** An attack's first sends are its warm-up: its refused share counts after these. */
    judgedAfter: 50,
    /** The high-cost ranges table of the run: the destinations pumping favours. */
    highCost: ['+371', '+234', '+63'],
    guard: {
      FRAUD_MODE: 'enforce',
      // A day in minutes: a window of 10 minutes in buckets of a minute (longer than a code takes to be
      // entered on a loaded machine), blocks of a minute.
      FRAUD_WINDOW_SECONDS: 600,
      FRAUD_BUCKETS: 10,
      FRAUD_BLOCK_SECONDS: 60,
      FRAUD_MAX_BLOCK_SECONDS: 600,
    },
  };
}

export const API_KEY = 'fraud-sim-api-key-0123456789';
export const CLIENT_ID = 'sim-client';

/** A gateway of the simulation: the fraud guard enforcing, its windows compressed, limits out of the way. */
export function gatewayEnv(settings, { port, database, prefix }) {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    MONGODB_URL: database,
    RABBITMQ_URL: settings.rabbitUrl,
    AMQP_PREFIX: prefix,
    OTEL_SDK_DISABLED: 'true',
    API_KEYS: `${API_KEY}:${CLIENT_ID}`,
    CODE_HASH_SECRET: 'fraud-sim-code-hash-secret-0123456789',
    CLIENT_RATE_LIMIT: '1000000',
    CLIENT_QUOTA: '1000000000',
    NUMBER_MAX_SENDS: '100000',
    ...Object.fromEntries(Object.entries(settings.guard).map(([name, value]) => [name, String(value)])),
    FRAUD_HIGH_COST_PREFIXES: settings.highCost.join(','),
  };
}
