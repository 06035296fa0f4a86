import { DependencyUnavailableError } from '@otpflow/errors';
import type { Logger } from '@otpflow/telemetry';
import type { Collection, Document } from 'mongodb';
import mongoose, { type Connection, type Model } from 'mongoose';
import { hookDriver } from './command-metrics.js';
import { watchHeartbeats } from './heartbeat-watchdog.js';

export interface MongoSettings {
  url: string;
  maxPoolSize: number;
  /** How long an operation waits for a usable server before failing (and the request answering 503). */
  serverSelectionTimeoutMs: number;
  /**
   * How long opening a connection, and each heartbeat of the driver's server monitor, may take. The
   * driver's default (30 s) lets one heartbeat stuck on a connection the database accepted while
   * going down keep the server marked unavailable for 30 s after it is back: every request answers
   * 503 meanwhile (seen in test/faults/database-outage with FerretDB stopped by SIGTERM).
   */
  connectTimeoutMs: number;
}

/**
 * Opens a dedicated mongoose connection (never the global one). Commands are not buffered while
 * disconnected: an operation fails at once and the caller answers 503, instead of a request hanging
 * until a buffer times out. Writes are acknowledged by a majority, so a 200 never rests on a write
 * that a failover could roll back.
 */
export async function connectMongo(settings: MongoSettings, logger: Logger): Promise<Connection> {
  // Before the pool opens a connection: countStoreCommands counts only connections opened after it.
  hookDriver();
  const connection = mongoose.createConnection(settings.url, {
    maxPoolSize: settings.maxPoolSize,
    serverSelectionTimeoutMS: settings.serverSelectionTimeoutMs,
    connectTimeoutMS: settings.connectTimeoutMs,
    // Store commands are counted without it (command-metrics.ts): monitoring would build two event
    // objects per command and decode every reply once more.
    monitorCommands: false,
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    writeConcern: { w: 'majority' },
  });
  // 'disconnecting' comes first when the service closes the connection itself: no warning then.
  let closing = false;
  connection.on('disconnecting', () => {
    closing = true;
  });
  connection.on('disconnected', () => {
    if (!closing) logger.warn('lost the MongoDB connection, the driver reconnects');
  });
  connection.on('reconnected', () => logger.info('reconnected to MongoDB'));
  connection.on('error', (error: unknown) => logger.warn({ err: error }, 'MongoDB connection error'));
  try {
    await connection.asPromise();
  } catch (cause) {
    await connection.close().catch(() => undefined);
    throw new DependencyUnavailableError('mongodb', 'could not connect to MongoDB', cause);
  }
  const stopWatchdog = watchHeartbeats(
    connection.getClient(),
    { connectTimeoutMs: settings.connectTimeoutMs },
    logger,
  );
  connection.once('close', stopWatchdog);
  return connection;
}

/** True when the database answers a ping; used by /readyz. */
export async function pingMongo(connection: Connection): Promise<boolean> {
  const db = connection.db;
  if (!db || connection.readyState !== mongoose.ConnectionStates.connected) return false;
  try {
    await db.command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

/** Duplicate key: the atomic "someone else got there first" signal of unique inserts. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000;
}

/**
 * Socket errors that reach a request unwrapped. The driver (7.8) wraps most failures of a connection in
 * a MongoNetworkError, but not all: a write to a socket the server has just closed (the database
 * shutting down under load) rejects with Node's own EPIPE "This socket has been ended by the other
 * party", through the driver's wait for `drain`. Seen in test/faults/database-outage.int.test.ts.
 */
const SOCKET_ERROR_CODES: ReadonlySet<string> = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTCONN',
  'ETIMEDOUT',
]);

function isSocketError(error: Error): boolean {
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && SOCKET_ERROR_CODES.has(code);
}

/**
 * Errors of a store call that mean the database is unreachable or timing out, not that a query is
 * wrong: the driver's own, and the raw socket errors it lets through (above).
 */
export function isMongoUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    isSocketError(error) ||
    error.name === 'MongoServerSelectionError' ||
    error.name === 'MongoNetworkError' ||
    error.name === 'MongoNetworkTimeoutError' ||
    error.name === 'MongoNotConnectedError' ||
    error.name === 'MongoTopologyClosedError' ||
    error.name === 'MongoPoolClearedError' ||
    error.name === 'MongoWaitQueueTimeoutError' ||
    (error.name === 'MongooseError' &&
      /not connected|buffering timed out|Connection was force closed/i.test(error.message))
  );
}

/**
 * The driver collection behind a model, typed with the model's document. Hot paths (an insert per
 * request) use it directly: the document is already complete, so mongoose's casting and hydration
 * would be pure overhead.
 */
export function typedCollection<T extends Document>(model: Model<T>): Collection<T> {
  return model.collection as unknown as Collection<T>;
}
