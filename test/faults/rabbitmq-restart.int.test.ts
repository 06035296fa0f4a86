import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startStack, type Stack } from '../support/stack.js';
import { DedicatedRabbitMq } from './support/dedicated-rabbitmq.js';
import { faultContext } from './support/fault-context.js';
import { printFigures } from './support/figures.js';
import { readinessProbe, sendCodeLoad, waitForAnswerAfter, type Sample } from './support/steady-load.js';

/** How long the broker stays down: long enough for several reconnection attempts to fail. */
const DOWN_FOR_MS = 5_000;
const UNAVAILABLE = { status: 503, code: 'UNAVAILABLE', message: 'Service Unavailable.' };

const first = (samples: Sample[], match: (sample: Sample) => boolean) => samples.find(match);
const round = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms));

/**
 * The broker goes away under a steady stream of send-codes and comes back. The gateway must answer
 * each send-code either 200 (the job is confirmed in RabbitMQ) or 503 (nothing promised), never hang
 * or 500; stay ready meanwhile (validate-code does not need the broker: codes sent before the outage
 * validate during it), reporting the broker down in /readyz's body and otpflow_dependency_up; and
 * every 200's code must reach the provider once the broker is back, under a single idempotency key.
 *
 * The broker is a RabbitMQ node of this test's own (see DedicatedRabbitMq): the machine's RabbitMQ is
 * shared by every test file running in parallel and must never be stopped.
 */
describe('RabbitMQ stopped and restarted under load', () => {
  let broker: DedicatedRabbitMq | undefined;
  let stack: Stack | undefined;

  beforeAll(async () => {
    broker = await DedicatedRabbitMq.start();
    // The database stays the shared one; only the broker is ours.
    stack = await startStack('rabbitfault', {
      context: faultContext('rabbitfault', { rabbitUrl: broker.url }, { retryDelaysMs: [300, 600, 1200] }),
      // A publish caught by the shutdown waits at most this long for its confirm before answering 503.
      gatewayEnv: { PUBLISH_TIMEOUT_MS: '2000', CLIENT_RATE_LIMIT: '100000' },
    });
  }, 120_000);

  afterAll(async () => {
    // Services shut down cleanly only with their broker up.
    if (broker && !broker.running) await broker.boot().catch(() => undefined);
    await stack?.stop();
    await broker?.dispose();
  }, 60_000);

  // SIGTERM is an operator's restart (the broker closes connections cleanly); SIGKILL is a crash
  // (connections just drop, confirms in flight are lost).
  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'answers 200 or 503, stays ready and validates codes while the broker is down, and delivers every 200 once (%s)',
    async (signal) => {
      if (!stack || !broker) throw new Error('setup failed');
      const { gateway } = stack;
      const messagesBefore = stack.accepted().length;
      const origin = performance.now();
      const sends = sendCodeLoad(gateway.url, {
        apiKey: API_KEY,
        gapMs: 40,
        timeoutMs: 15_000,
        origin,
      }).start();
      const readiness = readinessProbe(gateway.url, origin).start();

      await sleep(3_000);
      // Codes delivered before the outage, to be typed in while it lasts.
      const toValidate = await Promise.all(
        sends
          .between(0, sends.now())
          .filter((sample) => sample.status === 200)
          .slice(0, 5)
          .map(async (sample) => {
            const id = (sample.body as { authenticationId: string }).authenticationId;
            return { id, code: await (stack as Stack).codeFor(id) };
          }),
      );
      const stopAt = sends.now();
      await broker.stop(signal);
      const downAt = sends.now();
      await sleep(1_000);
      const validatedWhileDown = await Promise.all(
        toValidate.map(({ id, code }) => (stack as Stack).validateCode(id, code)),
      );
      const metricsWhileDown = await (await fetch(`${gateway.url}/metrics`)).text();
      await sleep(DOWN_FOR_MS - 1_000);
      const restartAt = sends.now();
      await broker.boot();
      const upAt = sends.now();
      await waitForAnswerAfter(sends, upAt, 200, 'a send-code answered 200 after the broker came back');
      await sleep(2_000);
      const samples = await sends.stop();
      const probes = await readiness.stop();

      // Every answer is a 200 with a session or the documented 503: nothing else, nothing unanswered.
      const unexpected = samples.filter((sample) => sample.status !== 200 && sample.status !== 503);
      expect(unexpected, JSON.stringify(unexpected.slice(0, 5))).toEqual([]);
      for (const sample of samples.filter((item) => item.status === 503))
        expect(sample.body).toEqual(UNAVAILABLE);
      const accepted = samples.filter((sample) => sample.status === 200);
      for (const sample of accepted)
        expect(typeof (sample.body as { authenticationId?: unknown }).authenticationId).toBe('string');

      // While the broker process is gone, nothing can be confirmed: every send-code answers 503.
      const whileDown = sends.between(downAt, restartAt);
      expect(whileDown.length).toBeGreaterThan(10);
      expect(whileDown.filter((sample) => sample.status !== 503)).toEqual([]);
      // The gateway stays ready (validate-code needs only the database): the codes sent before the
      // outage validate during it; /readyz and the dependency gauge say the broker is down.
      expect(toValidate).toHaveLength(5);
      expect(validatedWhileDown).toEqual(toValidate.map(() => 204));
      const probesWhileDown = readiness.between(downAt, restartAt);
      expect(probesWhileDown.length).toBeGreaterThan(5);
      expect(probesWhileDown.filter((probe) => probe.status !== 200)).toEqual([]);
      expect(metricsWhileDown).toMatch(/^otpflow_dependency_up\{dependency="rabbitmq"\} 0$/m);
      expect(metricsWhileDown).toMatch(/^otpflow_dependency_up\{dependency="mongodb"\} 1$/m);
      expect(probes.at(-1)?.status).toBe(200);
      expect(sends.between(0, stopAt).filter((sample) => sample.status === 200).length).toBeGreaterThan(10);

      // None lost: every 200's code reaches the provider once the broker is back.
      const sessionIds = accepted.map(
        (sample) => (sample.body as { authenticationId: string }).authenticationId,
      );
      await waitFor(
        () => {
          const delivered = new Set(stack?.accepted().map((message) => message.authenticationId));
          return sessionIds.every((id) => delivered.has(id));
        },
        { timeoutMs: 60_000, intervalMs: 200, what: 'every accepted code to be delivered' },
      );
      // None twice under different keys: a repeat (redelivery after the broker went away mid-send) must
      // carry the key of the first send, so the provider can drop it.
      const messages = stack.accepted().slice(messagesBefore);
      const keys = new Map<string, Set<string>>();
      for (const message of messages) {
        keys.set(
          message.authenticationId,
          (keys.get(message.authenticationId) ?? new Set()).add(message.idempotencyKey),
        );
      }
      const multiKeyed = [...keys].filter(([, set]) => set.size > 1);
      expect(multiKeyed).toEqual([]);

      const acceptedIds = new Set(sessionIds);
      const figures = {
        requests: samples.length,
        ok200: accepted.length,
        unavailable503: samples.length - accepted.length,
        brokerStopTookMs: round(downAt - stopAt),
        brokerDownForMs: round(restartAt - downAt),
        brokerBootTookMs: round(upAt - restartAt),
        firstAnswer503AfterStopMs: round(
          (first(samples, (sample) => sample.status === 503)?.endedAt ?? Number.NaN) - stopAt,
        ),
        readyz503WhileDown: probesWhileDown.filter((probe) => probe.status !== 200).length,
        validatedWhileDown: validatedWhileDown.filter((status) => status === 204).length,
        first200AfterBrokerUpMs: round(
          (first(samples, (sample) => sample.startedAt > upAt && sample.status === 200)?.endedAt ??
            Number.NaN) - upAt,
        ),
        slowest503Ms: round(Math.max(0, ...samples.filter((s) => s.status === 503).map((s) => s.ms))),
        delivered: new Set(messages.map((message) => message.authenticationId)).size,
        lost: sessionIds.filter((id) => !messages.some((message) => message.authenticationId === id)).length,
        repeatsSameKey: messages.length - new Set(messages.map((message) => message.authenticationId)).size,
        deliveredUnderTwoKeys: multiKeyed.length,
        // Codes of sessions the client was told 503 about that still went out: a confirm lost with the
        // connection (the broker had the job) while the gateway gave up on it. Harmless (the session was
        // removed, so the code cannot validate) but an SMS the client did not get an id for.
        deliveredAfter503: new Set(
          messages
            .filter((message) => !acceptedIds.has(message.authenticationId))
            .map((message) => message.authenticationId),
        ).size,
      };
      printFigures(`rabbitmq-restart ${signal}`, figures);
    },
    100_000,
  );
});
