import { callbackJobSchema, callbackPayloadSchema } from '@otpflow/contracts';
import { describe, expect, it } from 'vitest';
import { callbackJobsFor, callbackTypeOf, type MappableEvent } from './callback-mapping.js';

const event: MappableEvent = {
  eventId: '0b5f7c8e-3a4b-4c2d-9e1f-2a3b4c5d6e7f',
  type: 'code.delivered',
  occurredAt: '2026-12-01T10:00:02.000Z',
  authenticationId: 'a2c1d0e4-0000-4000-8000-000000000001',
  clientId: 'tenant-a',
  channel: 'sms',
  countryCallingCode: '34',
  requestedAt: '2026-12-01T10:00:00.000Z',
  provider: 'twilio',
};
const endpoint = (endpointId: string, clientId = 'tenant-a') => ({
  endpointId,
  clientId,
  url: `https://hooks.example.com/${endpointId}`,
  sealedSecret: 'dev.iv.ct.tag',
});

describe('callbackTypeOf', () => {
  it.each([
    ['code.sent', undefined, 'verification.sent'],
    ['code.delivered', undefined, 'verification.delivered'],
    ['code.undelivered', 'carrier_rejected', 'verification.undelivered'],
    ['code.verified', undefined, 'verification.approved'],
    ['code.expired_before_delivery', undefined, 'verification.expired'],
    ['code.rejected', 'expired', 'verification.expired'],
    ['code.rejected', 'max_attempts_exceeded', 'verification.failed'],
    ['code.failed', 'permanent_failure', 'verification.failed'],
    ['code.failed', 'fraud_throttled', 'verification.failed'],
    ['code.canceled', undefined, 'verification.canceled'],
    ['fraud.blocked', 'prefix_velocity', 'verification.fraud_blocked'],
  ])('%s (%s) is %s', (type, reason, expected) => {
    expect(callbackTypeOf({ type, reason })).toBe(expected);
  });

  it.each([
    ['code.requested', undefined],
    ['code.retried', 'timeout'],
    // Told together with code.failed for the same failure: one callback, not two.
    ['code.dead_lettered', 'permanent_failure'],
    // A wrong guess does not change the verification's state.
    ['code.rejected', 'invalid_otp'],
    ['code.rejected', 'superseded'],
    ['fraud.throttled', undefined],
    // A workflow step the guard blocked: its fraud.blocked tells it, not a second callback.
    ['code.failed', 'fraud_blocked'],
  ])('%s (%s) is no callback', (type, reason) => {
    expect(callbackTypeOf({ type, reason })).toBeUndefined();
  });

  it('tells a fraud block only when the guard enforced it (in monitor mode the send went through)', () => {
    const block = { type: 'fraud.blocked', reason: 'prefix_velocity' };
    expect(callbackTypeOf({ ...block, enforced: true })).toBe('verification.fraud_blocked');
    expect(callbackTypeOf({ ...block, enforced: false })).toBeUndefined();
  });
});

describe('callbackJobsFor', () => {
  it('makes one job per endpoint, all with the event id as webhook-id and the same body', () => {
    const jobs = callbackJobsFor(event, 'verification.delivered', [endpoint('ep_1'), endpoint('ep_2')]);
    expect(jobs.map((job) => job.endpointId)).toEqual(['ep_1', 'ep_2']);
    for (const job of jobs) {
      expect(callbackJobSchema.parse(job)).toEqual(job);
      expect(job.webhookId).toBe(`msg_${event.eventId}`);
      expect(job.body).toBe(jobs[0]?.body);
    }
    expect(callbackPayloadSchema.parse(JSON.parse(jobs[0]?.body ?? ''))).toEqual({
      type: 'verification.delivered',
      timestamp: event.occurredAt,
      data: {
        verificationId: event.authenticationId,
        channel: 'sms',
        countryCallingCode: '34',
        requestedAt: event.requestedAt,
        provider: 'twilio',
      },
    });
  });

  it("never makes a job for another tenant's endpoint", () => {
    expect(callbackJobsFor(event, 'verification.delivered', [endpoint('ep_x', 'tenant-b')])).toEqual([]);
  });
});
