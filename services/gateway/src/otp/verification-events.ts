import type { OtpEventInput, RejectionReason } from '@otpflow/contracts';
import { maskPhoneNumber } from '@otpflow/telemetry';
import type { StoredCode } from './session-store.js';

/** Who a code belongs to and what it is, as events carry it (never the number). */
export interface EventSubject {
  authenticationId: string;
  clientId: string;
  code: Pick<StoredCode, 'entry'>;
}

export function eventOf(type: OtpEventInput['type'], subject: EventSubject): OtpEventInput {
  const { entry } = subject.code;
  return {
    type,
    authenticationId: subject.authenticationId,
    clientId: subject.clientId,
    channel: entry.channel,
    countryCallingCode: entry.countryCallingCode,
    // The current code's request (a resend's, not the verification's creation): latencies start there.
    requestedAt: new Date(entry.requestedAt).toISOString(),
  };
}

/**
 * A code's request, with what the verifications listing (a read model of the events) shows beyond
 * the dimensions: the number masked as logs show it, and when the code lapses.
 */
export function requestedEventOf(subject: EventSubject, e164: string): OtpEventInput {
  return {
    ...eventOf('code.requested', subject),
    maskedTo: maskPhoneNumber(e164),
    expiresAt: new Date(subject.code.entry.expiresAt).toISOString(),
  };
}

export function rejectionOf(subject: EventSubject, reason: RejectionReason): OtpEventInput {
  return { ...eventOf('code.rejected', subject), reason };
}

/** Why an ended code refuses a check, for the rejection event. */
export function endedReason(code: Pick<StoredCode, 'status' | 'live'>): RejectionReason {
  if (code.status === 'verified') return 'already_verified';
  if (code.status === 'canceled') return 'canceled';
  if (!code.live) return 'superseded';
  return 'expired';
}
