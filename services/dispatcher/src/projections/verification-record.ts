import type { OtpEvent } from '@otpflow/contracts';
import type { RecordCharge, RecordStatus, VerificationRecordDocument } from '@otpflow/mongo';

/** A verification record before the store gives it a version. */
export type VerificationRecord = Omit<VerificationRecordDocument, 'version'>;

type Delivery = NonNullable<VerificationRecord['delivery']>;
type Ended = NonNullable<VerificationRecord['ended']>;

/** Delivery facts by event type: what each says of the code's delivery. */
const DELIVERY_STATE: Partial<Record<OtpEvent['type'], Delivery['state']>> = {
  'code.sent': 'sent',
  'code.delivered': 'delivered',
  'code.undelivered': 'failed',
  'code.failed': 'failed',
  'code.dead_lettered': 'failed',
  'code.expired_before_delivery': 'failed',
};

/** Validation refusals that end a verification; a wrong code (it may be retried) ends nothing. */
const ENDING_REFUSAL: Record<string, Ended['state']> = {
  max_attempts_exceeded: 'failed',
  expired: 'expired',
  superseded: 'expired',
};

const earliest = (a: Date | undefined, b: Date) => (a && a <= b ? a : b);
const isNewer = (at: Date, than: { at: Date } | undefined) => !than || at > than.at;

/**
 * Folds one event into a verification's record. Pure, and the same whatever the order the events
 * come in or how often each comes: every fact is a minimum, a maximum, the word of the newest event
 * of its kind, or an entry keyed by the event's id. Applying an event twice returns an equal record,
 * which is how the projector tells a duplicate.
 */
export function applyEvent(
  record: VerificationRecord | null,
  event: OtpEvent,
  retentionMs: number,
): VerificationRecord {
  const at = new Date(event.occurredAt);
  const requestedAt = new Date(event.requestedAt);
  const next: VerificationRecord = record
    ? { ...record, charges: { ...record.charges } }
    : {
        _id: event.authenticationId,
        clientId: event.clientId,
        channel: event.channel,
        countryCallingCode: event.countryCallingCode,
        createdAt: requestedAt,
        status: 'queued',
        charges: {},
        updatedAt: at,
        purgeAt: new Date(requestedAt.getTime() + retentionMs),
      };
  next.createdAt = earliest(next.createdAt, requestedAt);
  next.purgeAt = new Date(next.createdAt.getTime() + retentionMs);
  if (at > next.updatedAt) next.updatedAt = at;

  if (event.type === 'code.requested') applyRequest(next, event);
  const deliveryState = DELIVERY_STATE[event.type];
  if (deliveryState) applyDelivery(next, event, deliveryState, at);
  if (event.type === 'code.verified') next.verifiedAt = earliest(next.verifiedAt, at);
  if (event.type === 'code.canceled') next.canceledAt = earliest(next.canceledAt, at);
  const ending = event.type === 'code.rejected' && event.reason ? ENDING_REFUSAL[event.reason] : undefined;
  if (ending && event.reason && isNewer(at, next.ended))
    next.ended = { state: ending, at, reason: event.reason };

  const charge = chargeOf(event);
  if (charge) next.charges[event.eventId] = charge;
  next.status = recordStatus(next);
  return next;
}

/** The latest request (a resend's) sets the expiry and the channel asked for. */
function applyRequest(next: VerificationRecord, event: OtpEvent): void {
  if (event.maskedTo) next.maskedTo = event.maskedTo;
  if (!event.expiresAt) return;
  const expiresAt = new Date(event.expiresAt);
  if (!next.expiresAt || expiresAt > next.expiresAt) {
    next.expiresAt = expiresAt;
    next.channel = event.channel;
  }
}

function applyDelivery(next: VerificationRecord, event: OtpEvent, state: Delivery['state'], at: Date): void {
  if (event.type === 'code.sent') next.sentAt = earliest(next.sentAt, at);
  if (event.type === 'code.delivered') next.deliveredAt = earliest(next.deliveredAt, at);
  // The provider that took the latest code; a receipt names it until the send's event comes.
  if (event.provider && event.type === 'code.sent' && (!next.providerAt || at > next.providerAt)) {
    next.provider = event.provider;
    next.providerAt = at;
  } else if (event.provider && !next.provider) next.provider = event.provider;
  if (isNewer(at, next.delivery))
    next.delivery = { state, at, ...(event.reason ? { reason: event.reason } : {}) };
}

function chargeOf(event: OtpEvent): RecordCharge | undefined {
  const charge: RecordCharge = {
    ...(event.type === 'code.sent' && event.sms ? { smsParts: event.sms.parts } : {}),
    ...(event.billed?.parts !== undefined ? { billedParts: event.billed.parts } : {}),
    ...(event.billed?.price ? { price: { ...event.billed.price } } : {}),
  };
  return Object.keys(charge).length > 0 ? charge : undefined;
}

/** The status from the facts: an ending first, then the newest word on the delivery. */
export function recordStatus(record: Omit<VerificationRecord, 'status'>): RecordStatus {
  if (record.verifiedAt) return 'verified';
  if (record.canceledAt) return 'canceled';
  if (record.ended) return record.ended.state;
  return record.delivery?.state ?? 'queued';
}

/** Whether two records hold the same facts (an event applied again changes none). */
export function sameRecord(a: VerificationRecord, b: VerificationRecord): boolean {
  return stableText(a) === stableText(b);
}

function stableText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(stableText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([key, item]) => item !== undefined && key !== 'version')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableText(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
