import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA, type OtpEvent } from '@otpflow/contracts';
import { createLogger } from '@otpflow/telemetry';
import { createTestContext, waitFor, type TestContext } from '@otpflow/testing';
import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/metrics/src/config.js';
import {
  startMetricsService,
  type RunningMetricsService,
} from '../../services/metrics/src/metrics-service.js';
import { sharedEnv } from '../support/stack.js';

/** The metrics service counts each event once, whatever the broker or publishers repeat, in any order. */
describe('metrics service: duplicated and out-of-order events', () => {
  let context: TestContext;
  let service: RunningMetricsService;
  let broker: ChannelModel;

  beforeAll(async () => {
    context = createTestContext('metricsdedup');
    service = await startMetricsService(
      loadConfig({ ...sharedEnv(context) }),
      createLogger({ service: 'metrics', level: 'silent' }),
    );
    context.alsoDeleteQueues(service.queue);
    await service.amqp.waitForConnect();
    broker = await connect(context.rabbitUrl);
  });
  afterAll(async () => {
    await broker.close();
    await service.shutdown('test finished');
    await context.dispose();
  });

  const event = (type: OtpEvent['type'], extra: Partial<OtpEvent> = {}): OtpEvent => ({
    schema: EVENT_SCHEMA,
    eventId: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    authenticationId: randomUUID(),
    clientId: 'dedup-client',
    channel: 'sms',
    countryCallingCode: '34',
    requestedAt: new Date(Date.now() - 2000).toISOString(),
    ...extra,
  });

  async function publish(events: OtpEvent[]): Promise<void> {
    const channel = await broker.createConfirmChannel();
    for (const item of events) {
      channel.publish(service.amqp.names.eventsExchange, item.type, Buffer.from(JSON.stringify(item)), {
        messageId: item.eventId,
      });
    }
    await channel.waitForConfirms();
    await channel.close();
  }

  const sample = async (name: string, labels: string) => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (candidate) =>
          candidate.startsWith(`${name}{`) && labels.split(',').every((label) => candidate.includes(label)),
      );
    return Number(line?.split(' ').at(-1) ?? 0);
  };

  it('counts each event id once, and latencies from the events’ own timestamps', async () => {
    const requested = event('code.requested');
    const sent = event('code.sent', {
      provider: 'webhook',
      sms: { encoding: 'UCS-2', parts: 2 },
      authenticationId: requested.authenticationId,
    });
    const verified = event('code.verified', {
      authenticationId: requested.authenticationId,
      sentAt: new Date(Date.now() - 1000).toISOString(),
    });
    // Verified first, then everything twice: the order of arrival and repeats must not matter.
    await publish([verified, sent, requested, requested, sent, verified, { ...requested }]);
    await waitFor(async () => (await sample('otpflow_metrics_events_total', 'outcome="duplicate"')) >= 4, {
      what: 'the duplicates to be seen',
    });
    expect(await sample('otpflow_codes_requested_total', 'client="dedup-client"')).toBe(1);
    expect(await sample('otpflow_codes_sent_total', 'provider="webhook"')).toBe(1);
    expect(await sample('otpflow_sms_parts_total', 'encoding="UCS-2"')).toBe(2);
    expect(await sample('otpflow_codes_verified_total', 'client="dedup-client"')).toBe(1);
    expect(await sample('otpflow_code_verification_latency_seconds_count', 'channel="sms"')).toBe(1);
    expect(await sample('otpflow_metrics_events_total', 'outcome="counted"')).toBe(3);
  });

  it("adds up the vendors' billed parts and prices once each, per currency", async () => {
    const sent = event('code.sent', {
      provider: 'vonage',
      clientId: 'cost-client',
      billed: { parts: 2, price: { amount: '0.0666', currency: 'EUR' } },
    });
    const delivered = event('code.delivered', {
      provider: 'vonage',
      clientId: 'cost-client',
      authenticationId: sent.authenticationId,
      billed: { price: { amount: '0.0412', currency: 'EUR' } },
    });
    await publish([sent, delivered, sent, delivered]);
    await waitFor(
      async () => (await sample('otpflow_billed_price_total', 'client="cost-client",currency="EUR"')) > 0.1,
      { what: 'the billed price' },
    );
    expect(await sample('otpflow_billed_price_total', 'client="cost-client",currency="EUR"')).toBeCloseTo(
      0.1078,
      10,
    );
    expect(await sample('otpflow_billed_sms_parts_total', 'client="cost-client",provider="vonage"')).toBe(2);
  });

  it('drops what is not an event, without stopping', async () => {
    const channel = await broker.createConfirmChannel();
    channel.publish(service.amqp.names.eventsExchange, 'code.sent', Buffer.from('{"not":"an event"}'));
    await channel.waitForConfirms();
    await channel.close();
    await waitFor(async () => (await sample('otpflow_metrics_events_total', 'outcome="invalid"')) >= 1);
    await publish([event('code.requested')]);
    await waitFor(async () => (await sample('otpflow_codes_requested_total', 'client="dedup-client"')) === 2);
  });
});
