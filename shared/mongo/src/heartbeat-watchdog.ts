import type { Logger } from '@otpflow/telemetry';
import type { MongoClient, ServerHeartbeatStartedEvent } from 'mongodb';

/**
 * Works around a hang in the MongoDB driver's server monitor (seen with driver 7.8).
 *
 * The monitor checks a server by writing `hello` on its own connection. When the database closes
 * that connection at the wrong instant (it is shutting down), the socket is already destroyed but the
 * connection does not know yet; the write then waits for a `drain` that a destroyed socket never
 * emits, and nothing times it out. The check never ends, so the monitor never checks again: the
 * server stays "Unknown" after the database is back, and every operation fails server selection (the
 * gateway answers 503) until the process restarts. test/faults/database-outage caught it after
 * FerretDB was stopped with SIGTERM, in about one run in three.
 *
 * The watchdog notices a heartbeat that has run longer than any heartbeat can (the connect timeout,
 * plus, for a streaming heartbeat on MongoDB, the heartbeat interval the server may wait) and fails the stuck connection's socket with an
 * error: the driver's own error path then ends the check, and the monitor carries on. It reaches into
 * the driver's internals (topology → server → monitor → connection → socket), so every step is
 * optional: on a driver where the shape differs it does nothing but log.
 */
export function watchHeartbeats(
  client: MongoClient,
  settings: { connectTimeoutMs: number; heartbeatFrequencyMs?: number },
  logger: Logger,
): () => void {
  const pollingLimitMs = settings.connectTimeoutMs + 1_000;
  const streamingLimitMs = pollingLimitMs + (settings.heartbeatFrequencyMs ?? 10_000);
  /** Per server address: when its running heartbeat started, and how long it may take. */
  const running = new Map<string, { since: number; limitMs: number }>();
  const onStarted = (event: ServerHeartbeatStartedEvent) =>
    running.set(event.connectionId, {
      since: Date.now(),
      limitMs: event.awaited ? streamingLimitMs : pollingLimitMs,
    });
  const onEnded = (event: { connectionId: string }) => running.delete(event.connectionId);
  client.on('serverHeartbeatStarted', onStarted);
  client.on('serverHeartbeatSucceeded', onEnded);
  client.on('serverHeartbeatFailed', onEnded);

  const timer = setInterval(
    () => {
      const now = Date.now();
      for (const [address, { since, limitMs }] of running) {
        if (now - since < limitMs) continue;
        running.delete(address);
        const unstuck = failMonitorSocket(client, address);
        logger.warn(
          { address, stuckForMs: now - since, unstuck },
          'a MongoDB server heartbeat did not end; failing its connection so the driver checks again',
        );
      }
    },
    Math.max(250, Math.floor(pollingLimitMs / 4)),
  );
  timer.unref();

  return () => {
    clearInterval(timer);
    client.off('serverHeartbeatStarted', onStarted);
    client.off('serverHeartbeatSucceeded', onEnded);
    client.off('serverHeartbeatFailed', onEnded);
  };
}

/** The parts of the driver's internals the watchdog touches; none of them is public API. */
interface DriverInternals {
  topology?: {
    s?: {
      servers?: Map<string, { monitor?: { connection?: { socket?: NodeJS.EventEmitter } | null } | null }>;
    };
  };
}

function failMonitorSocket(client: MongoClient, address: string): boolean {
  const server = (client as unknown as DriverInternals).topology?.s?.servers?.get(address);
  const socket = server?.monitor?.connection?.socket;
  if (!socket) return false;
  // The connection listens for 'error' on its socket: it cleans up and rejects what waits on it.
  socket.emit('error', new Error('server heartbeat stuck; failed by otpflow watchdog'));
  return true;
}
