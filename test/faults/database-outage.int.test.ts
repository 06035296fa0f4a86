import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOfNumber, storedCode } from '../../services/gateway/test/number-documents.js';
import { API_KEY, startStack, type Stack } from '../support/stack.js';
import { faultContext } from './support/fault-context.js';
import { printFigures } from './support/figures.js';
import {
  clientHeaders,
  jsonRequest,
  readinessProbe,
  sendCodeLoad,
  SteadyLoad,
  waitForAnswerAfter,
  type Sample,
} from './support/steady-load.js';
import { DedicatedFerretDb } from '@otpflow/testing';

/** The gateway's MONGODB_SERVER_SELECTION_TIMEOUT_MS here: how long one operation waits for the database. */
const SELECTION_TIMEOUT_MS = 1_000;
/**
 * The slowest answer allowed while the database is down. A request that starts once the database is
 * gone fails its first database operation after one server-selection timeout, and must answer right
 * away: nothing else in it may wait that long again. Twice the timeout leaves room for a loaded machine.
 */
const BOUND_MS = 2 * SELECTION_TIMEOUT_MS;
const DOWN_FOR_MS = 6_000;
const UNAVAILABLE = { status: 503, code: 'UNAVAILABLE', message: 'Service Unavailable.' };

const round = (ms: number) => Math.round(ms);
const maxMs = (samples: Sample[]) => round(Math.max(0, ...samples.map((sample) => sample.ms)));

/**
 * The database goes away under load and comes back. The gateway answers 503 within a bound set by
 * its server-selection timeout (no request hangs on a dead database), with the API's error body: it
 * stays ready, since every replica shares the database and a load balancer with no ready replica would
 * answer in their place, without that body or a metric; /readyz's body and otpflow_dependency_up say
 * the database is down (the alert OtpflowMongoDbUnreachable watches the gauge). Once the database is
 * back the same gateway process serves again on its own.
 *
 * The database is a FerretDB of this test's own (see DedicatedFerretDb); the broker is the shared one.
 */
describe('the database stopped under load', () => {
  let database: DedicatedFerretDb | undefined;
  let stack: Stack | undefined;

  beforeAll(async () => {
    database = await DedicatedFerretDb.start();
    stack = await startStack('dbfault', {
      context: faultContext('dbfault', { mongoBaseUrl: database.url }),
      gatewayEnv: {
        MONGODB_SERVER_SELECTION_TIMEOUT_MS: String(SELECTION_TIMEOUT_MS),
        CLIENT_RATE_LIMIT: '100000',
      },
      // Delivery is not what this test is about; the jobs wait in the queue, deleted on dispose.
      startDispatcher: false,
    });
  }, 60_000);

  afterAll(async () => {
    if (database && !database.running) await database.boot().catch(() => undefined);
    await stack?.stop();
    await database?.dispose();
  }, 60_000);

  // SIGKILL: the database process dies (a crash, an OOM kill); SIGTERM: it is shut down.
  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'answers 503 quickly, stays ready and reports the database down, and recovers by itself (%s)',
    async (signal) => {
      if (!stack || !database) throw new Error('setup failed');
      const { gateway } = stack;
      const origin = performance.now();
      const sends = sendCodeLoad(gateway.url, {
        apiKey: API_KEY,
        gapMs: 50,
        timeoutMs: 30_000,
        origin,
      }).start();
      // A read path: an id that does not exist answers 404 while the database is up. (A well-formed id
      // of this deployment's, for a code never stored: a made-up one is refused without the database.)
      const validations = new SteadyLoad({
        workers: 4,
        gapMs: 50,
        origin,
        request: async () => {
          const answer = await jsonRequest(`${gateway.url}/one-time-password-sms/v1/validate-code`, {
            method: 'POST',
            headers: clientHeaders(API_KEY),
            body: JSON.stringify({
              authenticationId: gateway.addresses.fresh('+34612345678', 'e2e-client').authenticationId,
              code: '123456',
            }),
            signal: AbortSignal.timeout(30_000),
          });
          return { ...answer, label: 'validate' };
        },
      }).start();
      const readiness = readinessProbe(gateway.url, origin).start();

      await sleep(2_000);
      const stopAt = sends.now();
      await database.stop(signal);
      const downAt = sends.now();
      await sleep(DOWN_FOR_MS / 2);
      const metricsWhileDown = await (await fetch(`${gateway.url}/metrics`)).text();
      await sleep(DOWN_FOR_MS / 2);
      const restartAt = sends.now();
      await database.boot();
      const upAt = sends.now();
      await waitForAnswerAfter(sends, upAt, 200, 'a send-code answered 200 after the database came back');
      const recoveredAt = sends.now();
      await sleep(2_000);
      const [sent, validated, probes] = await Promise.all([
        sends.stop(),
        validations.stop(),
        readiness.stop(),
      ]);

      // Only documented answers: 200/404 while the database answers, 503 with its body when it does not.
      const odd = [
        ...sent.filter((sample) => sample.status !== 200 && sample.status !== 503),
        ...validated.filter((sample) => sample.status !== 404 && sample.status !== 503),
      ];
      expect(odd, JSON.stringify(odd.slice(0, 5))).toEqual([]);
      for (const sample of [...sent, ...validated].filter((item) => item.status === 503)) {
        expect(sample.body).toEqual(UNAVAILABLE);
      }

      // Requests that started with the database gone (and early enough that it could not come back
      // while they waited): every one answers 503, and none takes longer than the bound.
      const whileDown = [
        ...sends.between(downAt, restartAt - BOUND_MS),
        ...validations.between(downAt, restartAt - BOUND_MS),
      ];
      expect(whileDown.length).toBeGreaterThan(10);
      expect(whileDown.filter((sample) => sample.status !== 503)).toEqual([]);
      expect(maxMs(whileDown)).toBeLessThan(BOUND_MS);

      // Ready all along; /readyz's body (its own check gives up after 1 s) and the gauge say why the
      // answers are 503s.
      const probesWhileDown = readiness.between(downAt, restartAt - BOUND_MS);
      expect(probesWhileDown.length).toBeGreaterThan(2);
      expect(probesWhileDown.filter((probe) => probe.status !== 200)).toEqual([]);
      expect(probesWhileDown.map((probe) => (probe.body as { checks?: unknown }).checks)).toContainEqual({
        mongodb: 'down',
        rabbitmq: 'up',
      });
      expect(metricsWhileDown).toMatch(/^otpflow_dependency_up\{dependency="mongodb"\} 0$/m);
      expect(probes.at(-1)?.status).toBe(200);

      // Recovered without a restart: the same gateway answers 200 and 404 again.
      expect(sends.between(recoveredAt, Infinity).every((sample) => sample.status === 200)).toBe(true);
      expect(validations.between(recoveredAt, Infinity).every((sample) => sample.status === 404)).toBe(true);

      // Every 200 rests on a code the restarted database still has.
      const acceptedIds = sent
        .filter((sample) => sample.status === 200)
        .map((sample) => (sample.body as { authenticationId: string }).authenticationId);
      const found = await Promise.all(acceptedIds.map((id) => storedCode(gateway, id, 'e2e-client')));
      const stored = found.filter((code) => code !== null).length;
      expect(stored).toBe(acceptedIds.length);

      // A 503 whose insert reached the database before the connection died leaves a session nobody
      // holds the id of, with no job behind it: it cannot be validated and expires on its own.
      const refusedNumbers = sent.filter((sample) => sample.status === 503).map((sample) => sample.label);
      const orphans = (
        await Promise.all(refusedNumbers.map((number) => codesOfNumber(gateway, number)))
      ).flat().length;

      const inFlightAtStop = [
        ...sends.between(stopAt - 5_000, downAt),
        ...validations.between(stopAt - 5_000, downAt),
      ].filter((sample) => sample.endedAt > stopAt);
      const all = [...sent, ...validated];
      const figures = {
        requests: all.length,
        answered503: all.filter((sample) => sample.status === 503).length,
        stopTookMs: round(downAt - stopAt),
        first503AfterStopMs: round(
          Math.min(...all.filter((s) => s.status === 503 && s.endedAt > stopAt).map((s) => s.endedAt)) -
            stopAt,
        ),
        readyz503WhileDown: probesWhileDown.filter((probe) => probe.status !== 200).length,
        slowestWhileDownMs: maxMs(whileDown),
        medianWhileDownMs: round(
          whileDown.map((s) => s.ms).sort((a, b) => a - b)[whileDown.length >> 1] ?? 0,
        ),
        slowestInFlightAtStopMs: maxMs(inFlightAtStop),
        boundMs: BOUND_MS,
        databaseBootTookMs: round(upAt - restartAt),
        first200AfterDatabaseUpMs: round(
          (sent.find((sample) => sample.startedAt > upAt && sample.status === 200)?.endedAt ?? Number.NaN) -
            upAt,
        ),
        accepted200: acceptedIds.length,
        acceptedSessionsLost: acceptedIds.length - stored,
        orphanSessionsAfter503: orphans,
      };
      printFigures(`database-outage ${signal}`, figures);
    },
    100_000,
  );
});
