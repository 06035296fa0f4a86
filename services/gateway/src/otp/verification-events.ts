import type { OtpEventInput, RejectionReason } from '@otpflow/contracts';
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
