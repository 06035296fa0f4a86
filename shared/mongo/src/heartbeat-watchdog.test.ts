import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { createLogger } from '@otpflow/telemetry';
import type { MongoClient } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchHeartbeats } from './heartbeat-watchdog.js';

const ADDRESS = '127.0.0.1:27017';

/** A client shaped like the driver's where the watchdog looks: topology → server → monitor → socket. */
function fakeClient() {
  const socket = new EventEmitter();
  const socketErrors: Error[] = [];
  socket.on('error', (error: Error) => socketErrors.push(error));
  const client = Object.assign(new EventEmitter(), {
    topology: { s: { servers: new Map([[ADDRESS, { monitor: { connection: { socket } } }]]) } },
  });
  // Events are emitted through the plain emitter; the watchdog gets it typed as the driver's client.
  return { client: client as EventEmitter, asDriver: client as unknown as MongoClient, socketErrors };
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ service: 'test', level: 'warn' }, sink), lines };
}

describe('watchHeartbeats', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fails the monitor socket of a polling heartbeat that outlives the connect timeout', () => {
    const { client, asDriver, socketErrors } = fakeClient();
    const { logger, lines } = capturingLogger();
    const stop = watchHeartbeats(asDriver, { connectTimeoutMs: 2_000 }, logger);

    client.emit('serverHeartbeatStarted', { connectionId: ADDRESS, awaited: false });
    vi.advanceTimersByTime(2_500);
    expect(socketErrors).toHaveLength(0);
    vi.advanceTimersByTime(1_000);
    expect(socketErrors).toHaveLength(1);
    expect(lines[0]).toMatchObject({ address: ADDRESS, unstuck: true });

    // Once failed, the same stuck heartbeat is not failed again.
    vi.advanceTimersByTime(10_000);
    expect(socketErrors).toHaveLength(1);
    stop();
  });

  it('leaves alone heartbeats that end, and gives a streaming heartbeat the server’s wait', () => {
    const { client, asDriver, socketErrors } = fakeClient();
    const { logger } = capturingLogger();
    const stop = watchHeartbeats(asDriver, { connectTimeoutMs: 2_000, heartbeatFrequencyMs: 10_000 }, logger);

    for (let beat = 0; beat < 5; beat += 1) {
      client.emit('serverHeartbeatStarted', { connectionId: ADDRESS, awaited: false });
      vi.advanceTimersByTime(1_500);
      client.emit(beat % 2 ? 'serverHeartbeatFailed' : 'serverHeartbeatSucceeded', { connectionId: ADDRESS });
    }
    client.emit('serverHeartbeatStarted', { connectionId: ADDRESS, awaited: true });
    vi.advanceTimersByTime(12_000);
    expect(socketErrors).toHaveLength(0);
    vi.advanceTimersByTime(2_000);
    expect(socketErrors).toHaveLength(1);
    stop();
  });

  it('stops watching when stopped', () => {
    const { client, asDriver, socketErrors } = fakeClient();
    const { logger } = capturingLogger();
    watchHeartbeats(asDriver, { connectTimeoutMs: 1_000 }, logger)();

    client.emit('serverHeartbeatStarted', { connectionId: ADDRESS, awaited: false });
    vi.advanceTimersByTime(10_000);
    expect(socketErrors).toHaveLength(0);
    expect(client.listenerCount('serverHeartbeatStarted')).toBe(0);
  });
});
