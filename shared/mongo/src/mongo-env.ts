import { envInt } from '@otpflow/config';
import { z } from 'zod';
import type { MongoSettings } from './connection.js';

/**
 * The MongoDB settings every service reads. Defaults differ per service (the gateway fails faster
 * and pools more), so the shape is built from them.
 */
export function mongoEnvShape(defaults: { maxPoolSize: number; serverSelectionTimeoutMs: number }) {
  return {
    MONGODB_URL: z.string().startsWith('mongodb').default('mongodb://127.0.0.1:27017/otpflow'),
    MONGODB_MAX_POOL_SIZE: envInt(defaults.maxPoolSize, { min: 1, max: 1000 }),
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: envInt(defaults.serverSelectionTimeoutMs, { min: 100 }),
    MONGODB_CONNECT_TIMEOUT_MS: envInt(5_000, { min: 100 }),
  };
}

export function mongoSettingsFromEnv(env: {
  MONGODB_URL: string;
  MONGODB_MAX_POOL_SIZE: number;
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: number;
  MONGODB_CONNECT_TIMEOUT_MS: number;
}): MongoSettings {
  return {
    url: env.MONGODB_URL,
    maxPoolSize: env.MONGODB_MAX_POOL_SIZE,
    serverSelectionTimeoutMs: env.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    connectTimeoutMs: env.MONGODB_CONNECT_TIMEOUT_MS,
  };
}
