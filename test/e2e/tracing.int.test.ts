import { createTestContext, type TestContext, waitFor, waitUntilServing } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHttpServer } from '../../services/dispatcher/test/fakes/fake-http-server.js';
import { ChildService } from '../support/child-service.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { acceptAll, API_KEY, sharedEnv, webhookMessage } from '../support/stack.js';

const PHONE = '+34699887766';
const GATEWAY_PORT = 18_080 + Math.floor(Math.random() * 500);

/**
 * One code, one trace: gateway and dispatcher run as processes with the telemetry hook, export OTLP to
 * a receiver in the test, and the spans of the HTTP request, the database calls, the publish, the
 * consume and the provider call share one trace id. No span and no log line holds the code or the number.
 */
describe('tracing a code from request to provider', () => {
  let context: TestContext;
  let receiver: OtlpReceiver;
  let webhook: FakeHttpServer;
  let gateway: ChildService;
  let dispatcher: ChildService;

  beforeAll(async () => {
    context = createTestContext('tracing');
    receiver = await new OtlpReceiver().start();
    webhook = await new FakeHttpServer(acceptAll).start();
    const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
    const env = { ...sharedEnv(context), ...telemetry, LOG_LEVEL: 'info' };
    gateway = new ChildService('gateway', {
      ...env,
      PORT: String(GATEWAY_PORT),
      OTEL_SERVICE_NAME: 'otpflow-gateway',
      API_KEYS: `${API_KEY}:trace-client`,
    }).start();
    dispatcher = new ChildService('dispatcher', {
      ...env,
      OTEL_SERVICE_NAME: 'otpflow-dispatcher',
      SMS_PROVIDERS: 'webhook',
      WEBHOOK_URL: `${webhook.url}/sms`,
    }).start();
    await waitUntilServing(`http://127.0.0.1:${GATEWAY_PORT}`, {
      timeoutMs: 20_000,
      what: 'the gateway to reach MongoDB and RabbitMQ',
      output: () => gateway.output.join(''),
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await dispatcher.stop();
    await webhook.close();
    await receiver.close();
    await context.dispose();
  });

  it('follows one code through gateway, broker, dispatcher and provider in one trace', async () => {
    const response = await fetch(`http://127.0.0.1:${GATEWAY_PORT}/one-time-password-sms/v1/send-code`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'content-type': 'application/json',
        'x-correlator': 'trace-test-1',
      },
      body: JSON.stringify({ phoneNumber: PHONE, message: '{{code}} is your code' }),
    });
    expect(response.status).toBe(200);
    const { authenticationId } = (await response.json()) as { authenticationId: string };
    const delivered = await waitFor(
      () => webhook.requests.find((request) => request.body.includes(authenticationId)),
      { timeoutMs: 20_000 },
    );
    const code = /(\d{6})/.exec(webhookMessage(delivered).text)?.[1] ?? '';

    const serverSpan = await waitFor(
      () =>
        receiver.spans.find(
          (span) => span.service === 'otpflow-gateway' && span.kind === 2 && /POST/.test(span.name),
        ),
      { what: 'the gateway HTTP span' },
    );
    type Span = (typeof receiver.spans)[number];
    const isMongo = (span: Span) =>
      (span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'mongodb';
    // Span kinds: 2 server, 3 client, 4 producer, 5 consumer. The spans of one trace end, and are
    // exported in batches, at different times (the consume span ends after the provider call): wait
    // for every one of them, so a late batch is never mistaken for a missing span.
    const expected: Record<string, (span: Span) => boolean> = {
      'gateway database calls': (span) =>
        span.service === 'otpflow-gateway' && span.kind === 3 && isMongo(span),
      'the job publish': (span) =>
        span.service === 'otpflow-gateway' && span.kind === 4 && span.name.includes('.jobs'),
      'the consume': (span) =>
        span.service === 'otpflow-dispatcher' && span.kind === 5 && span.name.includes('.send'),
      'dispatcher database calls': (span) =>
        span.service === 'otpflow-dispatcher' && span.kind === 3 && isMongo(span),
      'the provider call': (span) =>
        span.service === 'otpflow-dispatcher' &&
        span.kind === 3 &&
        typeof span.attributes['url.full'] === 'string' &&
        span.attributes['url.full'].includes('/sms'),
      'the events': (span) =>
        span.service === 'otpflow-dispatcher' && span.kind === 4 && span.name.includes('.events'),
    };
    const missingFrom = (trace: Span[]) =>
      Object.keys(expected).filter((what) => !trace.some((span) => expected[what]?.(span)));
    const inTrace = () => receiver.spans.filter((span) => span.traceId === serverSpan.traceId);
    await waitFor(() => missingFrom(inTrace()).length === 0, {
      timeoutMs: 15_000,
      what: 'every span of the code in one trace',
    }).catch(() => undefined);
    expect(missingFrom(inTrace()), 'spans missing from the trace').toEqual([]);

    // Log lines written inside a request or a job carry its trace and the client's correlator. The
    // services write their info lines at most 500 ms after logging them (shared/telemetry logger.ts).
    const traced = (output: string[]) =>
      output
        .join('')
        .split('\n')
        .filter((line) => line.includes(`"trace_id":"${serverSpan.traceId}"`));
    await waitFor(() => traced(gateway.output).some((line) => line.includes('"correlator":"trace-test-1"')), {
      what: "the gateway's access line with the trace and the correlator",
    });
    await waitFor(
      () =>
        traced(dispatcher.output).some(
          (line) => line.includes('"correlator":"trace-test-1"') && line.includes('code sent'),
        ),
      { what: "the dispatcher's line with the trace and the correlator" },
    );
    const everything = JSON.stringify(receiver.spans) + gateway.output.join('') + dispatcher.output.join('');
    expect(everything).not.toContain(PHONE.slice(1));
    expect(everything).not.toContain(code);
  });
});
