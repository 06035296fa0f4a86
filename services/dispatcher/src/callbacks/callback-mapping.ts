import {
  CALLBACK_JOB_SCHEMA,
  type CallbackEventType,
  type CallbackJob,
  type CallbackPayload,
  type OtpEvent,
} from '@otpflow/contracts';

/** What the mapping needs of an event: the lifecycle events, and the fraud guard's `fraud.blocked`. */
export type MappableEvent = Pick<
  OtpEvent,
  | 'eventId'
  | 'occurredAt'
  | 'authenticationId'
  | 'clientId'
  | 'channel'
  | 'countryCallingCode'
  | 'requestedAt'
  | 'provider'
  | 'attempt'
  | 'reason'
  | 'enforced'
> & { type: string };

/**
 * Which callback an event is, if any. One callback per fact the tenant cares about: `code.failed` and
 * `code.dead_lettered` are told together for one failure, so only the first becomes a callback; a
 * wrong guess (`code.rejected` invalid_otp) or a retry is not a change of the verification's state.
 */
export function callbackTypeOf(
  event: Pick<MappableEvent, 'type' | 'reason' | 'enforced'>,
): CallbackEventType | undefined {
  switch (event.type) {
    case 'code.sent':
      return 'verification.sent';
    case 'code.delivered':
      return 'verification.delivered';
    case 'code.undelivered':
      return 'verification.undelivered';
    case 'code.verified':
      return 'verification.approved';
    case 'code.expired_before_delivery':
      return 'verification.expired';
    case 'code.failed':
      // A workflow step the guard blocked: its fraud.blocked is the callback that tells it.
      return event.reason === 'fraud_blocked' ? undefined : 'verification.failed';
    case 'code.canceled':
      return 'verification.canceled';
    case 'fraud.blocked':
      // In monitor mode the send went through: nothing was blocked that the tenant must hear of.
      return event.enforced === false ? undefined : 'verification.fraud_blocked';
    case 'code.rejected':
      if (event.reason === 'expired') return 'verification.expired';
      if (event.reason === 'max_attempts_exceeded') return 'verification.failed';
      return undefined;
    default:
      return undefined;
  }
}

/** The patterns the callbacks' events queue binds: every event that can map to a callback. */
export const CALLBACK_EVENT_PATTERNS = ['code.*', 'fraud.blocked'] as const;

export function callbackPayloadOf(event: MappableEvent, type: CallbackEventType): CallbackPayload {
  return {
    type,
    timestamp: event.occurredAt,
    data: {
      verificationId: event.authenticationId,
      channel: event.channel,
      countryCallingCode: event.countryCallingCode,
      requestedAt: event.requestedAt,
      ...(event.provider ? { provider: event.provider } : {}),
      ...(event.attempt ? { attempt: event.attempt } : {}),
      ...(event.reason ? { reason: event.reason } : {}),
    },
  };
}

export interface SubscribedEndpoint {
  endpointId: string;
  clientId: string;
  url: string;
  sealedSecret: string;
}

/**
 * One callback job per endpoint. The body is rendered once here, so every retry signs and sends the
 * same bytes under the same `webhook-id` (the event id): a receiver deduplicates on it.
 */
export function callbackJobsFor(
  event: MappableEvent,
  type: CallbackEventType,
  endpoints: readonly SubscribedEndpoint[],
): CallbackJob[] {
  const body = JSON.stringify(callbackPayloadOf(event, type));
  return endpoints
    .filter((endpoint) => endpoint.clientId === event.clientId)
    .map((endpoint) => ({
      schema: CALLBACK_JOB_SCHEMA,
      webhookId: `msg_${event.eventId}`,
      endpointId: endpoint.endpointId,
      clientId: endpoint.clientId,
      url: endpoint.url,
      sealedSecret: endpoint.sealedSecret,
      body,
      type,
      occurredAt: event.occurredAt,
    }));
}
