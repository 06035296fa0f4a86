import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA, type OtpEvent } from '@otpflow/contracts';
import { describe, expect, it } from 'vitest';
import { applyEvent, sameRecord, type VerificationRecord } from './verification-record.js';

const DAY_MS = 86_400_000;
const T0 = Date.parse('2026-03-01T09:58:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function event(type: OtpEvent['type'], seconds: number, extra: Partial<OtpEvent> = {}): OtpEvent {
  return {
    schema: EVENT_SCHEMA,
    eventId: randomUUID(),
    type,
    occurredAt: at(seconds),
    authenticationId: 'auth-1',
    clientId: 'tenant-a',
    channel: 'sms',
    countryCallingCode: '33',
    requestedAt: at(0),
    ...extra,
  };
}

const fold = (events: OtpEvent[]) =>
  events.reduce<VerificationRecord | null>((record, next) => applyEvent(record, next, DAY_MS), null);

const requested = event('code.requested', 0, { maskedTo: '+336******78', expiresAt: at(300) });
const sent = event('code.sent', 2, { provider: 'vonage', sms: { encoding: 'GSM-7', parts: 1 } });
const delivered = event('code.delivered', 5, {
  provider: 'vonage',
  billed: { price: { amount: '0.0333', currency: 'EUR' } },
});
const verified = event('code.verified', 40);

describe('a verification record, folded from its events', () => {
  it('tells the facts of a verified code', () => {
    const record = fold([requested, sent, delivered, verified]);
    expect(record).toMatchObject({
      _id: 'auth-1',
      clientId: 'tenant-a',
      maskedTo: '+336******78',
      status: 'verified',
      provider: 'vonage',
      createdAt: new Date(at(0)),
      expiresAt: new Date(at(300)),
      sentAt: new Date(at(2)),
      deliveredAt: new Date(at(5)),
      verifiedAt: new Date(at(40)),
      updatedAt: new Date(at(40)),
      purgeAt: new Date(T0 + DAY_MS),
    });
    expect(Object.values(record?.charges ?? {})).toEqual([
      { smsParts: 1 },
      { price: { amount: '0.0333', currency: 'EUR' } },
    ]);
  });

  it('is the same record whatever order the events come in', () => {
    const inOrder = fold([requested, sent, delivered, verified]);
    for (const order of [
      [verified, delivered, sent, requested],
      [delivered, requested, verified, sent],
      [sent, verified, requested, delivered],
    ]) {
      const shuffled = fold(order);
      expect(shuffled && inOrder && sameRecord(shuffled, inOrder)).toBe(true);
    }
  });

  it('changes nothing when an event comes again', () => {
    const once = fold([requested, sent, delivered]);
    expect(once).not.toBeNull();
    for (const again of [requested, sent, delivered])
      expect(sameRecord(applyEvent(once, again, DAY_MS), once as VerificationRecord)).toBe(true);
    expect(sameRecord(applyEvent(once, verified, DAY_MS), once as VerificationRecord)).toBe(false);
  });

  it('takes the newest word on the delivery: a resend after an undelivered receipt is sent again', () => {
    const undelivered = event('code.undelivered', 10, { provider: 'vonage', reason: 'absent_subscriber' });
    expect(fold([requested, sent, undelivered])).toMatchObject({
      status: 'failed',
      delivery: { state: 'failed', reason: 'absent_subscriber' },
    });
    const resent = event('code.sent', 70, { provider: 'twilio', requestedAt: at(68) });
    const record = fold([requested, resent, sent, undelivered]);
    expect(record).toMatchObject({ status: 'sent', provider: 'twilio', sentAt: new Date(at(2)) });
    expect(record?.createdAt).toEqual(new Date(at(0)));
  });

  it('ends on the refusals that end a code, not on a wrong code', () => {
    const wrong = event('code.rejected', 20, { reason: 'invalid_otp' });
    expect(fold([requested, sent, wrong])?.status).toBe('sent');
    const exhausted = event('code.rejected', 30, { reason: 'max_attempts_exceeded' });
    expect(fold([requested, sent, wrong, exhausted])?.status).toBe('failed');
    const late = event('code.rejected', 400, { reason: 'expired' });
    expect(fold([requested, sent, late])?.status).toBe('expired');
    expect(fold([requested, event('code.canceled', 9)])?.status).toBe('canceled');
    expect(fold([requested])?.status).toBe('queued');
  });

  it('keeps a receipt’s provider when the send’s event is late, and the send’s once it comes', () => {
    const receipt = event('code.delivered', 5, { provider: 'octopush' });
    expect(fold([requested, receipt])?.provider).toBe('octopush');
    expect(fold([requested, receipt, event('code.sent', 2, { provider: 'vonage' })])?.provider).toBe(
      'vonage',
    );
  });
});
