import type { OtpEventInput, RejectionReason } from '@otpflow/contracts';
import type { SessionDocument } from '@otpflow/mongo';

type EventSession = Pick<
  SessionDocument,
  '_id' | 'clientId' | 'channel' | 'countryCallingCode' | 'createdAt'
>;

export function eventOf(type: OtpEventInput['type'], session: EventSession): OtpEventInput {
  return {
    type,
    authenticationId: session._id,
    clientId: session.clientId,
    channel: session.channel,
    countryCallingCode: session.countryCallingCode,
    requestedAt: new Date(session.createdAt).toISOString(),
  };
}

export function rejectionOf(session: EventSession, reason: RejectionReason): OtpEventInput {
  return { ...eventOf('code.rejected', session), reason };
}

/** Why an ended session refuses a code, for the rejection event. */
export function endedReason(session: Pick<SessionDocument, 'status'>): RejectionReason {
  if (session.status === 'verified') return 'already_verified';
  if (session.status === 'superseded' || session.status === 'canceled') return session.status;
  return 'expired';
}
